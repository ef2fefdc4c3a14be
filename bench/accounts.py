"""The cost of accounts: one password and one recovery-answer hash, and API sign-ins per second.

The sign-in figure runs the real stack: gunicorn with two workers on a temporary SQLite copy,
customers opened through the sign-up service, and POST /api/v1/accounts/signin from a few
client threads to 127.0.0.1 only.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.environment import bench_database_url, django_for_bench

HASH_RUNS = 10
CUSTOMERS = 20
SIGN_INS = 200
CLIENT_THREADS = 4
WORKERS = 2
START_TIMEOUT_SECONDS = 60
SIGN_IN_BUDGET_SECONDS = 120
REQUEST_TIMEOUT_SECONDS = 30
ROOT = Path(__file__).resolve().parent.parent


def _median_ms(operation, runs: int = HASH_RUNS) -> float:
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        operation()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def _hash_lines() -> list[str]:
    from django.conf import settings
    from django.contrib.auth.hashers import get_hasher, make_password

    from lumeire.accounts.normalization import normalize_recovery_answer
    from lumeire.accounts.tests.factories import ANSWER, PASSWORD

    hasher = get_hasher("default")
    answer = normalize_recovery_answer(ANSWER)
    password_ms = _median_ms(lambda: make_password(PASSWORD))
    answer_ms = _median_ms(lambda: make_password(answer))
    parameters = (
        f"m={hasher.memory_cost} KiB, t={hasher.time_cost}, p={hasher.parallelism}"
        if hasattr(hasher, "memory_cost")
        else hasher.algorithm
    )
    return [
        f"hasher: {settings.PASSWORD_HASHERS[0].rsplit('.', 1)[-1]} ({parameters})",
        f"password hash (median of {HASH_RUNS}): {password_ms:7.1f} ms",
        f"recovery-answer hash (median of {HASH_RUNS}): {answer_ms:7.1f} ms",
    ]


def _open_customers() -> list[str]:
    from lumeire.accounts.tests.factories import open_account, sign_up_data

    logins = []
    for _ in range(CUSTOMERS):
        data = sign_up_data()
        # Sign up, then open the account from the emailed link, as a customer does.
        if open_account(data, client_address="127.0.0.1") is None:
            raise RuntimeError("A benchmark customer collided with another one.")
        logins.append(data.username)
    return logins


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _post_json(url: str, body: dict[str, str]) -> int:
    request = urllib.request.Request(  # noqa: S310 - a fixed http://127.0.0.1 URL
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT_SECONDS) as response:  # noqa: S310
            response.read()
            return response.status
    except urllib.error.HTTPError as refused:
        return refused.code


def _wait_until_serving(base: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited early; see its log:\n{log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within {START_TIMEOUT_SECONDS} s")


def _start_gunicorn(port: int, workdir: Path) -> tuple[subprocess.Popen, Path]:
    log = workdir / "gunicorn.log"
    env = {
        **os.environ,
        "DATABASE_URL": bench_database_url(),
        "LUMEIRE_ENV_FILE": os.environ.get("LUMEIRE_ENV_FILE", str(ROOT / "var" / "secrets.env")),
        "ALLOWED_HOSTS": "127.0.0.1",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    with log.open("wb") as output:
        server = subprocess.Popen(  # noqa: S603 - fixed arguments, no shell
            [
                str(gunicorn),
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(WORKERS),
            ],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    return server, log


def _stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=5)


def _sign_in_lines(logins: list[str]) -> list[str]:
    from lumeire.accounts.tests.factories import PASSWORD

    workdir = Path(tempfile.mkdtemp(prefix="lumeire-bench-gunicorn-"))
    port = _free_port()
    server, log = _start_gunicorn(port, workdir)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_until_serving(base, server, log)
        url = f"{base}/api/v1/accounts/signin"

        deadline = time.monotonic() + SIGN_IN_BUDGET_SECONDS

        def sign_in(index: int) -> tuple[int, float]:
            if time.monotonic() > deadline:
                return 0, 0.0  # over budget: skipped, reported below
            body = {"login": logins[index % len(logins)], "password": PASSWORD}
            start = time.perf_counter()
            status = _post_json(url, body)
            return status, (time.perf_counter() - start) * 1000

        with ThreadPoolExecutor(max_workers=CLIENT_THREADS) as pool:
            list(pool.map(sign_in, range(CLIENT_THREADS)))  # warm both workers
            start = time.perf_counter()
            results = list(pool.map(sign_in, range(SIGN_INS)))
            elapsed = time.perf_counter() - start
    finally:
        _stop(server)
        shutil.rmtree(workdir, ignore_errors=True)

    results = [result for result in results if result[0] != 0]
    if len(results) < SIGN_INS:
        raise RuntimeError(
            f"Only {len(results)} of {SIGN_INS} sign-ins fitted in {SIGN_IN_BUDGET_SECONDS} s."
        )
    statuses = [status for status, _ms in results]
    if any(status != 200 for status in statuses):
        counts = {code: statuses.count(code) for code in sorted(set(statuses))}
        raise RuntimeError(f"Some sign-ins failed: {counts}")
    latencies = sorted(ms for _status, ms in results)
    p95 = statistics.quantiles(latencies, n=20)[18]
    return [
        f"API sign-ins through gunicorn ({WORKERS} sync workers, {CLIENT_THREADS} client "
        f"threads, {SIGN_INS} requests over {CUSTOMERS} customers):",
        f"  {SIGN_INS / elapsed:6.1f} sign-ins/s; latency p50 {statistics.median(latencies):6.1f} "
        f"ms, p95 {p95:6.1f} ms",
    ]


def run() -> list[str]:
    django_for_bench()
    from django.db import connections

    lines = _hash_lines()
    logins = _open_customers()
    connections.close_all()  # the server's workers write to the same SQLite file
    lines.extend(_sign_in_lines(logins))
    return lines
