"""A throw-away Django environment for benchmarks: its own SQLite file, never the store's data."""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

_workdir: Path | None = None
_extra_apps: list[str] = []
# Read before any benchmark points DATABASE_URL at its throw-away file.
_STORE_DATABASE_URL = os.environ.get("DATABASE_URL", "").strip() or None


def store_database_url() -> str | None:
    """The database named by DATABASE_URL when `make bench` started, or None."""
    return _STORE_DATABASE_URL


def bench_database_url() -> str:
    """The URL of the benchmarks' database, for processes started by a benchmark (gunicorn)."""
    if _workdir is None:
        raise RuntimeError("Call django_for_bench() first.")
    return f"sqlite:///{_workdir / 'bench.sqlite3'}"


def django_for_bench(extra_apps: tuple[str, ...] = ()) -> Path:
    """Set up Django once on a fresh temporary SQLite database with ``extra_apps`` migrated.

    Returns the temporary directory, removed when the process exits. Later calls add and migrate
    any apps not installed yet, so benchmarks can run in any order.
    """
    global _workdir
    if _workdir is None:
        _workdir = Path(tempfile.mkdtemp(prefix="lumeire-bench-"))
        atexit.register(shutil.rmtree, _workdir, ignore_errors=True)
        os.environ["DATABASE_URL"] = bench_database_url()
        # Sign-ups send mail; a benchmark must not fill var/mail/ or reach a mail server.
        os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
        # The figures are the output; a record per sign-up would bury them.
        os.environ.setdefault("LOG_LEVEL", "WARNING")
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        import django

        django.setup()
        _migrate(extra_apps, cache_table=True)
    elif missing := [app for app in extra_apps if app not in _extra_apps]:
        _migrate(tuple(missing), cache_table=False)
    return _workdir


def _migrate(extra_apps: tuple[str, ...], *, cache_table: bool) -> None:
    from django.apps import apps
    from django.conf import settings
    from django.core.management import call_command

    _extra_apps.extend(extra_apps)
    apps.set_installed_apps([*settings.INSTALLED_APPS, *_extra_apps])
    call_command("migrate", verbosity=0)
    if cache_table:
        # The lockout and rate-limit counters live in a database cache table.
        call_command("createcachetable", verbosity=0)


def postgres_admin(url: str, statement: str) -> None:
    """Run one statement (CREATE or DROP DATABASE) on the server's maintenance database."""
    import psycopg

    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres", query=""))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(statement)


@contextlib.contextmanager
def throwaway_database(name: str, sqlite_label: str) -> Iterator[tuple[str, str, bool]]:
    """The URL of a new, empty database for one benchmark, what it is, and whether it is the
    target (PostgreSQL). It is dropped afterwards; without DATABASE_URL, a temporary SQLite file.
    """
    url = store_database_url()
    if url and urlsplit(url).scheme in ("postgres", "postgresql", "pgsql"):
        bench_url = urlunsplit(urlsplit(url)._replace(path=f"/{name}"))
        postgres_admin(url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        postgres_admin(url, f"CREATE DATABASE {name}")
        try:
            yield (
                bench_url,
                f"PostgreSQL, throw-away database {name} (created, migrated, dropped)",
                True,
            )
        finally:
            postgres_admin(url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        return
    with tempfile.TemporaryDirectory(prefix=f"{name}-") as workdir:
        yield f"sqlite:///{Path(workdir) / (name + '.sqlite3')}", sqlite_label, False


def child_result(output: str, prefix: str) -> dict:
    """The JSON a benchmark's child process printed on the line starting with ``prefix``."""
    import json

    line = next((ln for ln in output.splitlines() if ln.startswith(prefix)), None)
    if line is None:
        raise RuntimeError(f"The child process printed no result:\n{output[-2000:]}")
    return json.loads(line.removeprefix(prefix))
