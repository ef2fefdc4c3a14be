"""The keyed audit chain at size: ``audit_verify`` over a million entries, and one append's cost.

The benchmark makes a throw-away database: with DATABASE_URL naming a PostgreSQL server, a
database ``lumeire_bench_audit`` on it; otherwise a SQLite file in a temporary folder under
``var/``. It migrates it, fills the log with 1,000,000 keyed entries (each HMAC computed here
with the log's own ``chain`` module under the store's chain key, written with COPY or one bulk
INSERT per 50,000 rows, so the fill is not the figure), signs an anchor for the head, then:

* runs ``audit_verify`` (the command's own code path: every HMAC and link recomputed, the
  anchor checked) ``VERIFY_RUNS`` times in a child process, and reports each wall time, entries
  per second and the child's peak memory (the rows stream, so memory does not grow with them);
* appends ``APPENDS`` entries through ``audit_record``, one transaction each, and reports the
  latency percentiles; then writes the next anchor (which reads only what was appended since).

Targets: a million entries verified in under 60 s, append p95 under 5 ms. Everything made is
removed afterwards. ``LUMEIRE_BENCH_AUDIT_ENTRIES`` changes the count.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from bench.checkout import _child, _child_env
from bench.environment import child_result, store_database_url, throwaway_database

ROOT = Path(__file__).resolve().parent.parent
BENCH_DATABASE = "lumeire_bench_audit"
RESULT_PREFIX = "BENCH_AUDIT "
TARGET_VERIFY_SECONDS = 60.0
TARGET_APPEND_P95_MS = 5.0
APPENDS = 2000
VERIFY_RUNS = 2
FILL_BATCH = 50_000


@contextlib.contextmanager
def _database() -> Iterator[tuple[str, str, Path]]:
    """The throw-away database's URL, what it is, and a folder for its anchors; all removed."""
    folder = Path(tempfile.mkdtemp(prefix="bench-audit-", dir=ROOT / "var"))
    try:
        url = store_database_url() or ""
        if url.startswith(("postgres:", "postgresql:", "pgsql:")):
            with throwaway_database(BENCH_DATABASE, "") as (bench_url, about, _on_target):
                yield bench_url, about, folder
        else:
            path = folder / f"{BENCH_DATABASE}.sqlite3"
            yield (
                f"sqlite:///{path}",
                f"SQLite file {path.relative_to(ROOT)} (removed after)",
                folder,
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _result(output: str) -> dict:
    return child_result(output, RESULT_PREFIX)


def run() -> list[str]:
    entries = int(os.environ.get("LUMEIRE_BENCH_AUDIT_ENTRIES", "1000000"))
    with _database() as (url, about, folder):
        env = {**_child_env(url), "LUMEIRE_AUDIT_ANCHOR_DIR": str(folder / "anchors")}
        _child(env, "manage.py", "migrate", "--noinput")
        fill = _result(_child(env, "-m", "bench.audit", "--fill", str(entries)))
        verifies = [
            _result(_child(env, "-m", "bench.audit", "--verify")) for _ in range(VERIFY_RUNS)
        ]
        appends = _result(_child(env, "-m", "bench.audit", "--append"))
    for verify in verifies:
        if verify["exit"] != 0 or not verify["output"].startswith(f"OK {entries} entries"):
            raise RuntimeError(f"audit_verify did not pass the filled chain: {verify['output']}")
    if not appends["anchor"].startswith(f"ANCHORED entry {entries + APPENDS} "):
        raise RuntimeError(f"audit_anchor did not anchor the appends: {appends['anchor']}")
    seconds = [verify["seconds"] for verify in verifies]
    worst = max(seconds)
    latency = appends["latency_ms"]
    lines = [
        f"database: {about}; {os.cpu_count()} cores shared with the database",
        f"filled {entries:,} keyed entries (HMAC-SHA256) in {fill['seconds']:.1f} s",
        *(
            f"audit_verify run {number}: {entries:,} entries in {verify['seconds']:.1f} s = "
            f"{entries / verify['seconds']:,.0f} entries/s, peak memory "
            f"{verify['peak_mib']:.0f} MiB (the whole process)"
            for number, verify in enumerate(verifies, start=1)
        ),
        f"  output: {' | '.join(verifies[-1]['output'].splitlines())}",
        f"audit_record: {APPENDS} appends, one transaction each, on a log of {entries:,}: "
        f"p50 {latency['p50']:.2f} ms, p95 {latency['p95']:.2f} ms, p99 {latency['p99']:.2f} ms,"
        f" max {latency['max']:.2f} ms (wall time)",
        f"  the floor, a transaction writing one row and committing, in turn with them: p50 "
        f"{appends['floor_ms']['p50']:.2f} ms, p95 {appends['floor_ms']['p95']:.2f} ms",
        f"  CPU time of one append: p50 {appends['cpu_ms']['p50']:.2f} ms, p95 "
        f"{appends['cpu_ms']['p95']:.2f} ms"
        + (
            f"; some task waited for a core {appends['cpu_waiting']:.0%} of the time meanwhile"
            if appends["cpu_waiting"] is not None
            else ""
        ),
        f"audit_anchor after them (reads the {APPENDS} new entries only): "
        f"{appends['anchor_seconds'] * 1000:.0f} ms",
        f"target: verify a million entries under {TARGET_VERIFY_SECONDS:.0f} s: "
        + ("met" if worst * 1_000_000 / entries < TARGET_VERIFY_SECONDS else "NOT met")
        + f" (slowest run {worst:.1f} s); append p95 under {TARGET_APPEND_P95_MS:.0f} ms: "
        + ("met" if latency["p95"] < TARGET_APPEND_P95_MS else "NOT met"),
    ]
    return lines


# --- The children, each with Django set up on the throw-away database ---------------------------


def _fill(count: int) -> dict:
    import uuid
    from datetime import UTC, datetime, timedelta

    from django.db import connection, transaction

    from lumeire.audit.anchors import write_anchor
    from lumeire.audit.chain import CHAIN_COLUMNS, GENESIS_HASH, keyed_hash
    from lumeire.audit.keys import CHAIN, current_key

    key = current_key(CHAIN)
    actions = ["reveal", "order_changed", "staff_sign_in", "export", "reveal_refused"]
    staff = [uuid.UUID(int=n + 1) for n in range(40)]
    start = datetime(2025, 1, 1, tzinfo=UTC)
    columns = ", ".join(CHAIN_COLUMNS)
    began = time.perf_counter()
    previous = GENESIS_HASH

    def rows(first: int, last: int):
        nonlocal previous
        for number in range(first, last):
            subject = uuid.UUID(int=(number * 7919) % 200_000 + 10**6)
            row = (
                number,
                start + timedelta(seconds=number * 3, microseconds=number % 1000),
                "staff",
                staff[number % 40],
                "customer_service",
                actions[number % 5],
                "accounts.customer",
                str(subject),
                subject,
                ["email", "full_name"] if number % 2 else ["phone"],
                "order_support",
                f"Ticket {number} about a parcel",
                f"{number:064x}",
                previous,
            )
            digest = keyed_hash(row, key.key_id, key.secret)
            previous = digest
            yield (*row, key.key_id, digest)

    with connection.cursor() as cursor:
        for first in range(1, count + 1, FILL_BATCH):
            last = min(first + FILL_BATCH, count + 1)
            # One transaction per batch: SQLite would otherwise commit every row.
            with transaction.atomic():
                _fill_batch(cursor, connection.vendor, rows(first, last), columns)
        cursor.execute(
            "INSERT INTO audit_audithead (id, last_id, last_hash) VALUES (1, %s, %s)",
            [count, previous],
        )
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE audit_auditentry")
    write_anchor(entry_id=count, entry_hash=previous, count=count)
    return {"seconds": time.perf_counter() - began}


def _fill_batch(cursor, vendor: str, rows, columns: str) -> None:
    """Write rows with COPY (PostgreSQL) or one prepared INSERT run for every row (SQLite)."""
    if vendor == "postgresql":
        with cursor.cursor.copy(f"COPY audit_auditentry ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([*row[:9], json.dumps(row[9]), *row[10:]])
        return
    cursor.executemany(
        f"INSERT INTO audit_auditentry ({columns}) VALUES "  # noqa: S608 - fixed text
        f"({', '.join(['%s'] * len(columns.split(', ')))})",
        [
            (
                row[0],
                row[1].isoformat(sep=" ").replace("+00:00", ""),
                row[2],
                row[3].hex,
                row[4],
                row[5],
                row[6],
                row[7],
                row[8].hex,
                json.dumps(row[9]),
                *row[10:],
            )
            for row in rows
        ],
    )


def _verify() -> dict:
    import io
    import resource

    from django.core.management import call_command

    out = io.StringIO()
    began = time.perf_counter()
    try:
        # The anchor was signed at the end of the fill, maybe minutes ago: its age is not measured.
        call_command("audit_verify", "--allow-stale-anchor", stdout=out)
        code = 0
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    seconds = time.perf_counter() - began
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "seconds": seconds,
        "exit": code,
        "output": out.getvalue().strip(),
        "peak_mib": peak_kib / 1024,
    }


def _append() -> dict:
    import io
    import statistics

    from django.core.management import call_command
    from django.db import transaction

    from lumeire.audit.models import AuditAction
    from lumeire.audit.services import audit_record

    audit_record(actor=None, action=AuditAction.EXPORT, target_id="bench-warm-up")
    latencies, cpu_times, floor = [], [], []
    pressure_before = _cpu_pressure_total()
    began = time.perf_counter()
    for number in range(APPENDS - 1):
        started, cpu_started = time.perf_counter(), time.process_time()
        with transaction.atomic():
            audit_record(actor=None, action=AuditAction.EXPORT, target_id=f"bench-{number}")
        latencies.append((time.perf_counter() - started) * 1000)
        cpu_times.append((time.process_time() - cpu_started) * 1000)
        # Measured in turn with the appends, so both meet the same load.
        floor.append(_one_row_transaction())
    elapsed = time.perf_counter() - began
    pressure = _cpu_pressure_total()
    cuts = statistics.quantiles(latencies, n=100)
    cpu_cuts = statistics.quantiles(cpu_times, n=100)
    floor_cuts = statistics.quantiles(floor, n=100)
    out = io.StringIO()
    anchor_began = time.perf_counter()
    call_command("audit_anchor", stdout=out)
    return {
        "latency_ms": {"p50": cuts[49], "p95": cuts[94], "p99": cuts[98], "max": max(latencies)},
        "cpu_ms": {"p50": cpu_cuts[49], "p95": cpu_cuts[94]},
        "floor_ms": {"p50": floor_cuts[49], "p95": floor_cuts[94]},
        # The share of the appends' wall time some runnable task on the machine waited for a
        # core (Linux pressure stall information), when the kernel offers it.
        "cpu_waiting": (
            (pressure - pressure_before) / 1e6 / elapsed
            if pressure is not None and pressure_before is not None
            else None
        ),
        "anchor": out.getvalue().strip(),
        "anchor_seconds": time.perf_counter() - anchor_began,
    }


def _one_row_transaction() -> float:
    """Milliseconds one transaction that writes one row and commits takes: the floor under any
    append (it rewrites the head row with its own values, so nothing changes)."""
    from django.db import connection, transaction

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_audithead SET last_id = last_id WHERE id = 1")
    return (time.perf_counter() - started) * 1000


def _cpu_pressure_total() -> int | None:
    """Microseconds some task waited for a CPU since boot (/proc/pressure/cpu), or None."""
    try:
        first = Path("/proc/pressure/cpu").read_text().splitlines()[0]
    except (OSError, IndexError):
        return None
    return int(first.rsplit("total=", 1)[1])


if __name__ == "__main__":
    import django

    if not sys.argv[1:] or sys.argv[1] not in ("--fill", "--verify", "--append"):
        raise SystemExit("Run the benchmark with `python -m bench audit`.")
    django.setup()
    if sys.argv[1] == "--fill":
        figures = _fill(int(sys.argv[2]))
    elif sys.argv[1] == "--verify":
        figures = _verify()
    else:
        figures = _append()
    print(RESULT_PREFIX + json.dumps(figures))
