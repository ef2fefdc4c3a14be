"""Accounts for the audit log's tests, made with django.contrib.auth alone.

The audit app sits below every domain app and its tests import none of them: users come from
``get_user_model()`` and staff roles from their Django groups, as the audit app reads them.
"""

from __future__ import annotations

import io
import itertools
import time
from contextlib import contextmanager

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django.test import Client

from lumeire.audit.chain import CHAIN_COLUMNS
from lumeire.audit.models import AuditEntry
from lumeire.audit.protection import protect_statements, sqlite_protect, unprotect_statements

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


def record_entries(count: int, action: str, reason: str = "") -> list[AuditEntry]:
    """Append ``count`` entries through the store's own service, numbered in their reason."""
    from lumeire.audit.services import audit_record

    return [
        audit_record(actor=None, action=action, reason=f"{reason} {n}" if reason else "")
        for n in range(count)
    ]


def raw(sql: str, params: list | tuple | None = None) -> None:
    # No parameters: the statement goes as written (PL/pgSQL's '%' is not a placeholder).
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def on_postgresql() -> bool:
    return connection.vendor == "postgresql"


@pytest.fixture(autouse=True)
def _audit_files_in_folders_of_the_tests_own(settings, tmp_path):
    """Checkpoint archives and anchors go to the test's own folders, never to var/."""
    settings.LUMEIRE_AUDIT_ARCHIVE_DIR = tmp_path / "audit-archive"
    settings.LUMEIRE_AUDIT_ANCHOR_DIR = tmp_path / "audit-anchors"


def verify(*options: str) -> tuple[int, str]:
    """What ``manage.py audit_verify`` exits with and prints."""
    out = io.StringIO()
    try:
        call_command("audit_verify", "--chunk-size", "2", *options, stdout=out)
    except SystemExit as exit_:
        return int(exit_.code), out.getvalue().strip()
    return 0, out.getvalue().strip()


def verify_chain_line(*options: str) -> tuple[int, str]:
    """audit_verify's exit code and its first line (the chain's), where no anchor is written."""
    code, output = verify("--allow-stale-anchor", *options)
    return code, output.splitlines()[0]


def anchor_now() -> str:
    """What ``manage.py audit_anchor`` prints once it wrote an anchor."""
    out = io.StringIO()
    call_command("audit_anchor", stdout=out)
    return out.getvalue().strip()


@contextmanager
def attacker_drops_the_triggers():
    """What the database's owner can do: drop every refusing trigger, act, put them back."""
    for statement in unprotect_statements(connection.vendor):
        raw(statement)
    yield
    for statement in protect_statements(connection.vendor):
        raw(statement)


def insert_rows(rows: list) -> None:
    """Insert entries (``CHAIN_COLUMNS`` each) by SQL, as an attacker would, values in the
    database's own spelling."""
    fields = [AuditEntry._meta.get_field(name) for name in CHAIN_COLUMNS]
    marks = ", ".join(["%s"] * len(fields))
    for row in rows:
        values = [
            field.get_db_prep_value(value, connection, prepared=False)
            for field, value in zip(fields, row, strict=True)
        ]
        raw(
            f"INSERT INTO audit_auditentry ({', '.join(CHAIN_COLUMNS)}) VALUES ({marks})",  # noqa: S608 - fixed names
            values,
        )


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
