"""Accounts for the audit log's tests, made with django.contrib.auth alone.

The audit app sits below every domain app and its tests import none of them: users come from
``get_user_model()`` and staff roles from their Django groups, as the audit app reads them.
"""

from __future__ import annotations

import itertools
import time
from contextlib import contextmanager

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client

from lumeire.audit.protection import sqlite_protect

PASSWORD = "a lighthouse keeper counts the waves"
BACKEND = "lumeire.accounts.backends.LoginBackend"
# What the back office's sign-in stores once both factors passed (lumeire.staff.sessions).
SECOND_FACTOR_KEY = "lumeire_staff_second_factor"
_serial = itertools.count(1)


def make_user(*, kind: str = "staff", groups: tuple[str, ...] = (), email: str = ""):
    serial = next(_serial)
    user = get_user_model()(
        kind=kind,
        username=f"audit{kind}{serial}",
        email=email or f"audit{kind}{serial}@example.com",
    )
    user.set_password(PASSWORD)
    user.save()
    for name in groups:
        user.groups.add(Group.objects.get_or_create(name=name)[0])
    return user


def staff_browser(user) -> Client:
    """A browser signed in as ``user`` with the second factor passed, as the sign-in leaves it."""
    client = Client()
    client.force_login(user, backend=BACKEND)
    session = client.session
    session[SECOND_FACTOR_KEY] = {"user": str(user.pk), "at": int(time.time())}
    session.save()
    return client


def raw(sql: str, params: list | tuple = ()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def on_postgresql() -> bool:
    return connection.vendor == "postgresql"


@pytest.fixture(autouse=True)
def _audit_archives_in_a_folder_of_the_tests_own(settings, tmp_path):
    """Checkpoint archives go to the test's own folder, never to var/."""
    settings.LUMEIRE_AUDIT_ARCHIVE_DIR = tmp_path / "audit-archive"


@contextmanager
def triggers_off(table: str):
    """What someone with the database owner's rights could do: lift a table's protection, edit."""
    if connection.vendor == "postgresql":
        raw(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only")
        yield
        raw(f"ALTER TABLE {table} ENABLE TRIGGER {table}_append_only")
    else:
        names = (f"{table}_no_update", f"{table}_no_delete")
        for name in names:
            raw(f"DROP TRIGGER {name}")
        yield
        for statement in sqlite_protect(names=names):
            raw(statement)
