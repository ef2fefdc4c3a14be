"""The store under gunicorn as `make run` starts it: its output names no client and no secret.

A real gunicorn process serves a page on an emailed-link route (lumeire/core/tests/urls_served.py,
which needs no database) with the store's middleware and config/gunicorn_conf.py. Forged
forwarded headers from an untrusted address change nothing; from a trusted proxy they count.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from lumeire.core.tokens import new_secret

ROOT = Path(__file__).resolve().parents[2]
FORGED = "198.51.100.77"
LOCAL = "127.0.0.1"


def _makefile_gunicorn_arguments() -> list[str]:
    """The arguments `make run` gives gunicorn, read from the Makefile itself."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8").replace("\\\n", " ")
    line = next(line for line in makefile.splitlines() if "bin/gunicorn " in line)
    arguments = line.split("bin/gunicorn ", 1)[1].split()
    assert "--access-logfile" not in arguments
    return arguments


class Served:
    """A gunicorn started like `make run` does, on a free port, writing to one file."""

    def __init__(self, tmp_path: Path, **environment: str) -> None:
        self.output = tmp_path / "gunicorn.log"
        arguments = _makefile_gunicorn_arguments()
        arguments[arguments.index("--bind") + 1] = f"{LOCAL}:0"
        arguments[arguments.index("--workers") + 1] = "1"
        env = {
            name: value
            for name, value in os.environ.items()
            if name not in {"DATABASE_URL", "REDIS_URL", "FORWARDED_ALLOW_IPS"}
        }
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings",
            LUMEIRE_ROOT_URLCONF="lumeire.core.tests.urls_served",
            DATABASE_URL=f"sqlite:///{tmp_path / 'unused.sqlite3'}",
            ALLOWED_HOSTS=LOCAL,
            **environment,
        )
        with self.output.open("wb") as sink:
            self.process = subprocess.Popen(  # noqa: S603 - fixed arguments, no shell
                [sys.executable, "-m", "gunicorn", *arguments],
                cwd=ROOT,
                env=env,
                stdout=sink,
                stderr=subprocess.STDOUT,
            )
        self.port = self._port()

    def _port(self) -> int:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            found = re.search(rb"Listening at: http://127\.0\.0\.1:(\d+)", self.output.read_bytes())
            if found:
                return int(found[1])
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        self.stop()
        pytest.fail(self.output.read_text(errors="replace"))

    def get(self, path: str, headers: dict[str, str]) -> tuple[int, bytes, str]:
        opener = urllib.request.build_opener(_NoRedirect())
        request = urllib.request.Request(f"http://{LOCAL}:{self.port}{path}", headers=headers)
        try:
            with opener.open(request, timeout=20) as response:
                return response.status, response.read(), ""
        except urllib.error.HTTPError as refused:
            return refused.code, refused.read(), refused.headers.get("Location", "")

    def raw(self, data: bytes) -> bytes:
        with socket.create_connection((LOCAL, self.port), timeout=20) as connection:
            connection.sendall(data)
            return connection.recv(200)

    def stop(self) -> str:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=30)
        return self.output.read_text(encoding="utf-8", errors="replace")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_make_run_uses_the_gunicorn_config_module():
    arguments = _makefile_gunicorn_arguments()

    assert arguments[arguments.index("--config") + 1] == "python:config.gunicorn_conf"


def test_untrusted_forwarded_headers_change_nothing_and_the_output_names_no_one(tmp_path):
    token = new_secret()
    served = Served(tmp_path, LUMEIRE_HTTPS="1", LUMEIRE_TRUSTED_PROXIES="")
    try:
        forged = {"X-Forwarded-For": FORGED, "X-Forwarded-Proto": "https"}
        status, _body, location = served.get(f"/recover/{token}/?email=layla%40example.com", forged)
        # Malformed requests that gunicorn refuses itself, each quoting the secret.
        refusals = [
            served.raw(f"/recover/{token}/\r\n\r\n".encode()),
            served.raw(f"GET /recover/{token}/ HTTP/1.1\r\nBad\x00Name: v\r\n\r\n".encode()),
            served.raw(f"GET /recover/{token}/ x/ HTTP/1.1\r\nHost: a\r\n\r\n".encode()),
        ]
    finally:
        output = served.stop()

    assert status == 301 and location.startswith("https://")  # the forged https did not count
    assert all(answer.startswith(b"HTTP/1.1 400") for answer in refusals)
    assert token not in output
    assert FORGED not in output and "layla" not in output
    lines = [line for line in output.splitlines() if "Listening at" not in line]
    assert not any(LOCAL in line for line in lines), output
    access = [json.loads(line) for line in lines if '"lumeire.requests"' in line]
    assert [(line["path"], line["status"]) for line in access] == [
        ("/recover/[secret]/?email=*", 301)
    ]
    assert re.fullmatch(r"[0-9a-f]{16}", access[0]["client"])
    assert "Invalid request refused" in output  # gunicorn's error log still says what happened


def test_a_trusted_proxys_forwarded_headers_are_honoured(tmp_path):
    served = Served(tmp_path, LUMEIRE_HTTPS="1", LUMEIRE_TRUSTED_PROXIES="127.0.0.0/8")
    try:
        status, body, _ = served.get(
            f"/recover/{new_secret()}/",
            {"X-Forwarded-For": f"192.0.2.1, {FORGED}", "X-Forwarded-Proto": "https"},
        )
    finally:
        served.stop()

    assert status == 200
    assert json.loads(body) == {"address": FORGED, "secure": True}
