"""A throw-away Django environment for benchmarks: its own SQLite file, never the store's data."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

_ready = False


def django_for_bench(extra_apps: tuple[str, ...] = ()) -> Path:
    """Set up Django on a fresh temporary SQLite database with ``extra_apps`` migrated."""
    global _ready
    workdir = Path(tempfile.mkdtemp(prefix="lumeire-bench-"))
    if not _ready:
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        import django

        django.setup()
        from django.apps import apps
        from django.conf import settings

        apps.set_installed_apps([*settings.INSTALLED_APPS, *extra_apps])
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        _ready = True
    return workdir
