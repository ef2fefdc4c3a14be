"""Start-up of a real store on a fresh database: migrate records the keys and creates nobody,
and gunicorn refuses to boot a node whose keys differ.

Every step is a subprocess of the store with ``config.settings`` (as production starts it),
against a database of its own: a SQLite file, or a scratch PostgreSQL database when the suite
runs on PostgreSQL.
"""

from __future__ import annotations

import base64
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.conf import settings as django_settings
from django.db import connection

ROOT = Path(django_settings.BASE_DIR)
KEYS = {
    "SECRET_KEY": "start-up test secret key, the same on every node of this store",
    "LUMEIRE_MASTER_KEY": base64.b64encode(b"m" * 32).decode(),
    "LUMEIRE_BLIND_INDEX_KEY": base64.b64encode(b"b" * 32).decode(),
}
# Variables of the developer's machine the subprocess must not inherit.
DROPPED = ("LUMEIRE_ENV_FILE", "REDIS_URL", "LUMEIRE_STORAGE_URL", "DATABASE_URL")


def _pg_url(database: str) -> str:
    values = connection.settings_dict
    password = f":{values['PASSWORD']}" if values.get("PASSWORD") else ""
    host = values.get("HOST") or "127.0.0.1"
    port = values.get("PORT") or 5432
    return f"postgres://{values['USER']}{password}@{host}:{port}/{database}"


@pytest.fixture
def fresh_database(db, tmp_path):
    """(URL, count of rows in a table) of an empty database of the suite's engine."""
    if connection.vendor == "postgresql":
        name = f"{connection.settings_dict['NAME']}_fresh"[:63]
        admin = psycopg.connect(_pg_url("postgres"), autocommit=True)
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')

        def count(table: str) -> int:
            with psycopg.connect(_pg_url(name)) as fresh:
                return fresh.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]  # noqa: S608

        try:
            yield _pg_url(name), count
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.close()
        return
    path = tmp_path / "store.sqlite3"

    def count(table: str) -> int:
        with sqlite3.connect(path) as fresh:
            return fresh.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]  # noqa: S608

    yield f"sqlite:///{path}", count


def _store(database_url: str, tmp_path: Path, *command: str, **keys: str):
    env = {name: value for name, value in os.environ.items() if name not in DROPPED}
    env.update(
        KEYS,
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="config.settings",
        LUMEIRE_ERASURE_JOURNAL_DIR=str(tmp_path / "erasure-journal"),
        LUMEIRE_AUDIT_ANCHOR_DIR=str(tmp_path / "audit-anchors"),
    )
    env.update(keys)
    return subprocess.run(  # noqa: S603 - this interpreter and the store's own programs
        list(command), cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def _gunicorn(database_url: str, tmp_path: Path, **keys: str):
    """Boot gunicorn as the systemd unit does, with a config check only (--check-config loads
    the application in the master, as a worker would)."""
    return _store(
        database_url,
        tmp_path,
        str(Path(sys.executable).with_name("gunicorn")),
        "config.wsgi:application",
        "--config",
        "python:config.gunicorn_conf",
        "--check-config",
        **keys,
    )


def test_a_fresh_store_records_its_keys_creates_nobody_and_refuses_a_node_with_other_keys(
    fresh_database, tmp_path
):
    url, count = fresh_database
    python = sys.executable

    # An empty database blocks neither start-up nor migrate: there is nothing to open yet.
    before = _store(url, tmp_path, python, "-c", "import config.wsgi")
    assert before.returncode == 0, before.stderr
    migrated = _store(url, tmp_path, python, "manage.py", "migrate", "--noinput")
    assert migrated.returncode == 0, migrated.stderr
    assert "Recorded the fingerprints of: SECRET_KEY, LUMEIRE_MASTER_KEY" in migrated.stdout

    # Demo data only when asked: migrations make no account, staff or customer.
    assert count("accounts_user") == 0
    assert count("catalog_product") == 0
    assert count("vault_keyfingerprint") == 4

    same = _gunicorn(url, tmp_path)
    assert same.returncode == 0, same.stderr
    for name in KEYS:
        other = base64.b64encode(os.urandom(32)).decode()
        refused = _gunicorn(url, tmp_path, **{name: other})
        assert refused.returncode != 0, name
        assert "ImproperlyConfigured: This node's keys cannot open the data" in refused.stderr
        assert f"  - {name}: " in refused.stderr
        assert other not in refused.stderr + refused.stdout
        assert KEYS[name] not in refused.stderr + refused.stdout

    # The background worker refuses too, before it takes a task (it would seal with keys no
    # other node holds); --batch makes a worker with matching keys stop once the queue is empty.
    worker = (python, "manage.py", "task_worker", "--batch", "--no-periodic", "--no-startup-delay")
    assert _store(url, tmp_path, *worker).returncode == 0
    other = base64.b64encode(os.urandom(32)).decode()
    refused = _store(url, tmp_path, *worker, LUMEIRE_MASTER_KEY=other)
    assert refused.returncode == 1
    assert "  - LUMEIRE_MASTER_KEY: " in refused.stderr
    assert other not in refused.stderr + refused.stdout


def test_a_database_that_does_not_answer_is_no_key_mismatch(tmp_path):
    # Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
    started = _store(
        "postgres://lumeire@127.0.0.1:9/lumeire",
        tmp_path,
        sys.executable,
        "-c",
        "import config.wsgi",
    )

    assert started.returncode == 0, started.stderr
    assert "key_check_skipped" in started.stderr + started.stdout
