"""Real worker processes against the test database, and real outages of that database.

On PostgreSQL the subprocesses use the test database itself, and an outage is the server
refusing new connections to it while every open one is terminated. SQLite's test database lives
in the test process's memory, so the subprocesses get a file copy of it (made once the test has
queued its tasks, then read with sqlite3), and an outage is the database's folder going away
while the workers open a fresh connection each turn.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

ROOT = Path(settings.BASE_DIR)
TABLE = "django_tasks_database_dbtaskresult"


def wait_for(condition: Callable[[], object], *, timeout: float, what: str) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"waited {timeout} s for {what}")


class WorkerProcess:
    """One ``manage.py task_worker`` subprocess, its JSON log in a file."""

    def __init__(self, process: subprocess.Popen, log: Path, worker_id: str) -> None:
        self.process = process
        self.log = log
        self.worker_id = worker_id

    def events(self, name: str | None = None) -> list[dict]:
        records = []
        for line in self.log.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if name is None or record.get("event") == name:
                records.append(record)
        return records

    def wait_started(self, timeout: float = 30) -> None:
        wait_for(
            lambda: self.events("task_worker_started") or self.process.poll() is not None,
            timeout=timeout,
            what=f"worker {self.worker_id} to start",
        )
        assert self.process.poll() is None, self.log.read_text()

    def stop(self, timeout: float = 20) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=timeout)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=10)


class WorkerDatabase:
    """The test database as worker subprocesses reach it (see the module's docstring)."""

    def __init__(self, folder: Path) -> None:
        self.vendor = connection.vendor
        self.folder = folder / "database"
        self.folder.mkdir()
        self.logs = folder / "logs"
        self.logs.mkdir()
        self.processes: list[WorkerProcess] = []
        values = connection.settings_dict
        if self.vendor == "sqlite":
            self.file = self.folder / "store.sqlite3"
            self.url = f"sqlite:///{self.file}"
        elif self.vendor == "postgresql":
            password = f":{values['PASSWORD']}" if values.get("PASSWORD") else ""
            host = values.get("HOST") or "127.0.0.1"
            port = values.get("PORT") or 5432
            self.url = f"postgres://{values['USER']}{password}@{host}:{port}/{values['NAME']}"
        else:  # pragma: no cover
            raise AssertionError(f"no worker processes on {self.vendor}")

    def publish(self) -> None:
        """Make what the test queued visible to the subprocesses (a copy, on SQLite)."""
        if self.vendor == "sqlite":
            with sqlite3.connect(self.file) as copy:
                connection.ensure_connection()
                connection.connection.backup(copy)
            copy.close()

    def env(self, **extra: str) -> dict[str, str]:
        env = {
            **os.environ,
            "DATABASE_URL": self.url,
            "DJANGO_SETTINGS_MODULE": "config.settings_test",
            "LUMEIRE_TASK_HEARTBEAT_SECONDS": "1",
            "LUMEIRE_TASK_LEASE_SECONDS": "3",
            "LOG_LEVEL": "INFO",
        }
        if self.vendor == "sqlite":
            # A fresh connection each turn, so an outage is seen (an open SQLite file stays open).
            env["DATABASE_CONN_MAX_AGE"] = "0"
        env.update(extra)
        return env

    def manage(self, *arguments: str, **env: str) -> subprocess.Popen:
        return subprocess.Popen(  # noqa: S603 - the store's own manage.py
            [sys.executable, "manage.py", *arguments],
            cwd=ROOT,
            env=self.env(**env),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def start_worker(self, worker_id: str, *arguments: str, **env: str) -> WorkerProcess:
        log = self.logs / f"{worker_id}.log"
        handle = log.open("w")
        process = subprocess.Popen(  # noqa: S603 - the store's own manage.py
            [
                sys.executable,
                "manage.py",
                "task_worker",
                "--no-startup-delay",
                "--no-reload",
                "--no-periodic",
                "--interval",
                "0.2",
                "--worker-id",
                worker_id,
                *arguments,
            ],
            cwd=ROOT,
            env=self.env(**env),
            stdout=handle,
            stderr=subprocess.STDOUT,
        )
        handle.close()
        worker = WorkerProcess(process, log, worker_id)
        self.processes.append(worker)
        return worker

    def task_row(self, task_id: str) -> tuple[str, list[str]]:
        """(status, worker ids) of a queued task, as the workers left it."""
        if self.vendor == "sqlite":
            with sqlite3.connect(self.file, timeout=20) as db:
                status, worker_ids = db.execute(
                    f"SELECT status, worker_ids FROM {TABLE} WHERE id = ?",  # noqa: S608
                    (uuid.UUID(task_id).hex,),
                ).fetchone()
            return status, json.loads(worker_ids)
        from django_tasks_db.models import DBTaskResult

        row = DBTaskResult.objects.get(pk=task_id)
        return row.status, row.worker_ids

    def make_due(self, task_id: str) -> None:
        """Let a task queued for later run now, wherever the workers' database is (a test then
        knows its workers are up before any of them can claim it, however slow they start)."""
        if self.vendor == "sqlite":
            with sqlite3.connect(self.file, timeout=20) as db:
                db.execute(
                    f"UPDATE {TABLE} SET run_after = ? WHERE id = ?",  # noqa: S608
                    (timezone.now().strftime("%Y-%m-%d %H:%M:%S.%f"), uuid.UUID(task_id).hex),
                )
            return
        from django_tasks_db.models import DBTaskResult

        DBTaskResult.objects.filter(pk=task_id).update(run_after=timezone.now())

    def rows(self, sql: str) -> list[tuple]:
        """Rows of a read-only query, wherever the workers' database is."""
        if self.vendor == "sqlite":
            with sqlite3.connect(self.file, timeout=20) as db:
                return db.execute(sql).fetchall()
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall()

    @contextmanager
    def outage(self) -> Iterator[None]:
        """The database is unreachable inside the block: open connections are cut and new ones
        refused (PostgreSQL), or its folder is gone (SQLite)."""
        if self.vendor == "sqlite":
            away = self.folder.with_name("database-away")
            self.folder.rename(away)
            try:
                yield
            finally:
                away.rename(self.folder)
            return
        import psycopg

        name = connection.settings_dict["NAME"]
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            (own_pid,) = cursor.fetchone()
        # From the server's maintenance database: a database cannot shut itself.
        maintenance = self.url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(maintenance, autocommit=True) as server:
            server.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
            server.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> %s",
                (name, own_pid),
            )
            try:
                yield
            finally:
                server.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')

    def close(self) -> None:
        for worker in self.processes:
            worker.kill()


def run_queue_here(worker_id: str = "test-worker") -> None:
    """Run every queued task in this process, as one worker would, then return (no periodic
    scheduling: the test decides what is queued)."""
    from lumeire.core.worker import TaskWorker

    TaskWorker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
        periodic=False,
    ).run()
