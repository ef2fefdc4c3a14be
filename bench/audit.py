"""The audit log at size: how fast ``audit_verify`` recomputes a million-entry chain.

With DATABASE_URL naming a PostgreSQL server, the benchmark creates a database
``lumeire_bench_audit`` on it, migrates it, fills the log with 1,000,000 chained entries
(hashes computed here with the log's own ``chain`` module and written with COPY, so the fill is
not the figure), runs ``manage.py audit_verify`` in a child process and reports its wall time,
entries per second and that process's peak memory, and drops the database. The target: a
million entries verified within a minute. Without DATABASE_URL it is a smoke run on a temporary
SQLite file with 20,000 entries. ``LUMEIRE_BENCH_AUDIT_ENTRIES`` changes the count.

It also appends 2,000 entries through ``audit_record`` one transaction each (the head row locked
every time) and reports appends per second.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from bench.checkout import _child, _child_env
from bench.environment import child_result, throwaway_database

ROOT = Path(__file__).resolve().parent.parent
BENCH_DATABASE = "lumeire_bench_audit"
RESULT_PREFIX = "BENCH_AUDIT "
TARGET_SECONDS = 60.0
APPENDS = 2000


SQLITE_LABEL = "temporary SQLite file, a smoke run: NOT the target's PostgreSQL"


def _database():
    return throwaway_database(BENCH_DATABASE, SQLITE_LABEL)


def _result(output: str) -> dict:
    return child_result(output, RESULT_PREFIX)


def run() -> list[str]:
    with _database() as (url, about, on_target):
        entries = int(
            os.environ.get("LUMEIRE_BENCH_AUDIT_ENTRIES", "1000000" if on_target else "20000")
        )
        env = _child_env(url)
        _child(env, "manage.py", "migrate", "--noinput")
        fill = _result(_child(env, "-m", "bench.audit", "--fill", str(entries)))
        verify = _result(_child(env, "-m", "bench.audit", "--verify"))
        appends = _result(_child(env, "-m", "bench.audit", "--append"))
    if verify["exit"] != 0 or not verify["output"].startswith(f"OK {entries} entries"):
        raise RuntimeError(f"audit_verify did not pass the filled chain: {verify['output']}")
    seconds = verify["seconds"]
    lines = [
        f"database: {about}",
        f"filled {entries:,} chained entries in {fill['seconds']:.1f} s "
        "(hashes computed here, COPY or bulk insert)",
        f"audit_verify: {entries:,} entries in {seconds:.1f} s = "
        f"{entries / seconds:,.0f} entries/s, peak memory {verify['peak_mib']:.0f} MiB "
        f"(the whole verifying process)",
        f"  output: {verify['output']}",
        f"audit_record: {APPENDS} appends, one transaction each, {appends['per_second']:,.0f}/s "
        f"(p95 {appends['p95_ms']:.2f} ms), on a log of {entries + APPENDS:,} entries",
    ]
    if on_target:
        met = "met" if seconds <= TARGET_SECONDS * entries / 1_000_000 else "NOT met"
        lines.append(f"target: a million entries within {TARGET_SECONDS:.0f} s: {met}")
    else:
        lines.append("these figures are SQLite's, not the target's: set DATABASE_URL to PostgreSQL")
    return lines


# --- The children, each with Django set up on the throw-away database ---------------------------


def _fill(count: int) -> dict:
    import uuid
    from datetime import UTC, datetime, timedelta

    from django.db import connection

    from lumeire.audit.chain import GENESIS_HASH, entry_hash

    actions = ["reveal", "order_changed", "staff_sign_in", "export", "reveal_refused"]
    staff = [uuid.UUID(int=n + 1) for n in range(40)]
    start = datetime(2025, 1, 1, tzinfo=UTC)
    columns = (
        "id, at, actor_kind, actor_id, actor_roles, action, target_type, target_id, subject_id, "
        "fields, reason_category, reason, client_ref, prev_hash, entry_hash"
    )
    began = time.perf_counter()
    previous = GENESIS_HASH
    batch = 50_000

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
            digest = entry_hash(row)
            previous = digest
            yield (*row, digest)

    with connection.cursor() as cursor:
        for first in range(1, count + 1, batch):
            last = min(first + batch, count + 1)
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY audit_auditentry ({columns}) FROM STDIN") as copy:
                    for row in rows(first, last):
                        copy.write_row([*row[:9], json.dumps(row[9]), *row[10:]])
            else:
                cursor.executemany(
                    f"INSERT INTO audit_auditentry ({columns}) VALUES "  # noqa: S608 - fixed text
                    "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
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
                        for row in rows(first, last)
                    ],
                )
        cursor.execute(
            "INSERT INTO audit_audithead (id, last_id, last_hash) VALUES (1, %s, %s)",
            [count, previous],
        )
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE audit_auditentry")
    return {"seconds": time.perf_counter() - began}


def _verify() -> dict:
    import io
    import resource

    from django.core.management import call_command

    out = io.StringIO()
    began = time.perf_counter()
    try:
        call_command("audit_verify", stdout=out)
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
    import statistics

    from django.db import transaction

    from lumeire.audit.models import AuditAction
    from lumeire.audit.services import audit_record

    latencies = []
    began = time.perf_counter()
    for number in range(APPENDS):
        started = time.perf_counter()
        with transaction.atomic():
            audit_record(actor=None, action=AuditAction.EXPORT, target_id=f"bench-{number}")
        latencies.append((time.perf_counter() - started) * 1000)
    seconds = time.perf_counter() - began
    return {
        "per_second": APPENDS / seconds,
        "p95_ms": statistics.quantiles(latencies, n=100)[94],
    }


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
