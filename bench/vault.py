"""The vault's cost: raw AES-256-GCM throughput, and reading encrypted fields against clear ones."""

from __future__ import annotations

import os
import statistics
import time
import uuid
from collections.abc import Callable

from bench.environment import django_for_bench

CUSTOMERS = 100
REPEATS = 30


def _per_second(operation: Callable[[], object], seconds: float = 1.0) -> float:
    count, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for _ in range(200):
            operation()
        count += 200
    return count / elapsed


def _median_ms(operation: Callable[[], object], repeats: int = REPEATS) -> float:
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        operation()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def run() -> list[str]:
    django_for_bench(extra_apps=("lumeire.vault.tests.sample",))
    import datetime as dt

    from lumeire.vault import cipher
    from lumeire.vault.keycache import data_key_cache
    from lumeire.vault.selectors import warm_data_keys
    from lumeire.vault.tests.sample.models import SamplePerson, SamplePlainPerson

    lines = []
    key, key_id = os.urandom(32), uuid.uuid4()
    place = cipher.Place("accounts_customer", "full_name", str(uuid.uuid4()))
    for label, size in (("32 B", 32), ("1 KiB", 1024)):
        plaintext = os.urandom(size)
        sealed = cipher.seal(plaintext, data_key=key, data_key_id=key_id, place=place)
        enc = _per_second(
            lambda p=plaintext: cipher.seal(p, data_key=key, data_key_id=key_id, place=place)
        )
        dec = _per_second(lambda s=sealed: cipher.open_sealed(s, data_key=key, place=place))
        lines.append(f"{label} value: encrypt {enc:,.0f} ops/s, decrypt {dec:,.0f} ops/s")

    for index in range(CUSTOMERS):
        values = {
            "full_name": f"Customer Number {index} عميل",
            "email": f"customer{index}@example.com",
            "birth_date": dt.date(1980, 1, 1) + dt.timedelta(days=index * 97),
        }
        SamplePerson.objects.create(**values)
        SamplePlainPerson.objects.create(**values)

    def read(model: type) -> None:
        for row in model.objects.all()[:CUSTOMERS]:
            _ = (row.full_name, row.email, row.birth_date)

    def read_encrypted_cold() -> None:
        data_key_cache.clear()
        read(SamplePerson)

    def read_encrypted_prefetched() -> None:
        data_key_cache.clear()
        rows = list(SamplePerson.objects.all()[:CUSTOMERS])
        warm_data_keys(row.pk for row in rows)
        for row in rows:
            _ = (row.full_name, row.email, row.birth_date)

    read(SamplePerson)  # warm the key cache and the database pages
    clear_ms = _median_ms(lambda: read(SamplePlainPerson))
    warm_ms = _median_ms(lambda: read(SamplePerson))
    prefetched_ms = _median_ms(read_encrypted_prefetched)
    cold_ms = _median_ms(read_encrypted_cold)
    lines.append(f"reading {CUSTOMERS} customers x 3 fields (median of {REPEATS}):")
    for label, ms in (
        ("stored in clear", clear_ms),
        ("encrypted, data keys cached", warm_ms),
        ("encrypted, keys unwrapped in one query", prefetched_ms),
        ("encrypted, keys fetched one by one", cold_ms),
    ):
        lines.append(f"  {label + ':':40} {ms:7.2f} ms  ({ms / clear_ms:5.2f}x clear)")
    return lines
