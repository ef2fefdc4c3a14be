"""An erasure leaves no copy of the destroyed key in the database files.

The attack: shredding set the wrapped key to NULL, yet the old bytes stayed in SQLite's
write-ahead log and free pages, and replaying the log gave the key back, then the customer's
name, email, identity number, date of birth and address. Here a real store runs on a SQLite
file in WAL mode (a subprocess), erases one of two customers, and every byte of the database,
its -wal and its -shm, copied while the store still has them open, is searched: the erased
customer's wrapped key, blind indexes and deleted rows are nowhere, while the other customer's
key is found where it should be (the search works).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection

ROOT = Path(django_settings.BASE_DIR)


def _store_files(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.glob("store.sqlite3*"))}


@pytest.fixture(scope="module")
def erased_store(tmp_path_factory) -> tuple[dict, dict[str, bytes]]:
    folder = tmp_path_factory.mktemp("sqlite-store")
    environment = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{folder / 'store.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "LUMEIRE_ERASURE_JOURNAL_DIR": str(folder / "journal"),
    }
    run = subprocess.run(  # noqa: S603 - our own interpreter and module
        [
            sys.executable,
            "-m",
            "lumeire.privacy.tests.sqlite_erasure_scenario",
            str(folder / "snapshot"),
        ],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads(run.stdout.strip().splitlines()[-1]), _store_files(folder / "snapshot")


def _found_in(files: dict[str, bytes], needle: bytes) -> list[str]:
    return [name for name, content in files.items() if needle in content]


@pytest.mark.django_db
def test_every_sqlite_connection_overwrites_freed_space():
    if connection.vendor != "sqlite":
        pytest.skip("secure_delete is SQLite's; PostgreSQL is scrubbed by VACUUM FULL")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA secure_delete")
        assert cursor.fetchone()[0] == 1


def test_the_store_runs_in_wal_mode_with_secure_delete(erased_store):
    scenario, files = erased_store
    assert scenario["secure_delete"] == 1
    assert "store.sqlite3" in files
    # The truncating checkpoint after the erasure leaves an empty log behind.
    assert files.get("store.sqlite3-wal", b"") == b""


def test_the_erased_key_is_in_no_database_file(erased_store):
    scenario, files = erased_store
    assert _found_in(files, bytes.fromhex(scenario["kept_key"])) == ["store.sqlite3"]
    assert _found_in(files, bytes.fromhex(scenario["erased_key"])) == []


def test_blind_indexes_and_deleted_rows_of_the_erased_customer_are_in_no_file(erased_store):
    scenario, files = erased_store
    for value in scenario["blind_indexes"] + scenario["deleted_rows"]:
        assert _found_in(files, value.encode()) == [], value


def test_what_is_left_of_the_customer_is_ciphertext_under_the_destroyed_key(erased_store):
    # The profile row stays (orders point at the account); its sealed values can stay too,
    # since the only key that opens them is gone from every file above.
    scenario, files = erased_store
    assert scenario["ciphertexts"]
    for blob in scenario["ciphertexts"]:
        assert len(_found_in(files, bytes.fromhex(blob))) <= 1
