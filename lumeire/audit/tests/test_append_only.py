"""The log only grows: the ORM and the database itself refuse to change or delete an entry."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from lumeire.audit.errors import AuditLogImmutableError
from lumeire.audit.models import AuditAction, AuditEntry
from lumeire.audit.protection import is_protected
from lumeire.audit.services import audit_record
from lumeire.audit.tests.conftest import anchor_now, raw, verify


def _three_entries() -> list[AuditEntry]:
    return [
        audit_record(actor=None, action=AuditAction.KEY_ROTATION, reason=f"run {n}")
        for n in range(3)
    ]


def _snapshot() -> list[tuple]:
    return list(AuditEntry.objects.order_by("id").values_list("id", "reason", "entry_hash"))


@pytest.mark.django_db
def test_the_orm_refuses_save_delete_and_update():
    entries = _three_entries()
    before = _snapshot()
    entry = AuditEntry.objects.get(pk=entries[1].pk)
    entry.reason = "nothing happened"

    with pytest.raises(AuditLogImmutableError):
        entry.save()
    with pytest.raises(AuditLogImmutableError):
        entry.save(force_insert=True)  # an existing row is never inserted again
    with pytest.raises(AuditLogImmutableError):
        entry.delete()
    with pytest.raises(AuditLogImmutableError):
        AuditEntry.objects.filter(pk=entry.pk).update(reason="nothing happened")
    with pytest.raises(AuditLogImmutableError):
        AuditEntry.objects.all().delete()
    with pytest.raises(AuditLogImmutableError):
        AuditEntry.objects.bulk_update([entry], ["reason"])
    with pytest.raises(AuditLogImmutableError):
        AuditEntry(action=AuditAction.EXPORT, actor_kind="system").save()

    assert _snapshot() == before


@pytest.mark.django_db
def test_the_database_refuses_update_and_delete_by_raw_sql():
    _three_entries()
    before = _snapshot()
    assert is_protected(connection)

    for statement in (
        "UPDATE audit_auditentry SET reason = 'nothing happened' WHERE id = 2",
        "UPDATE audit_auditentry SET entry_hash = prev_hash",
        "DELETE FROM audit_auditentry WHERE id = 3",
        "DELETE FROM audit_auditentry",
    ):
        with (
            pytest.raises(DatabaseError, match="cannot be changed or deleted"),
            transaction.atomic(),
        ):
            raw(statement)
    assert _snapshot() == before


@pytest.mark.django_db(transaction=True)
def test_a_flush_empties_the_log_and_leaves_it_protected():
    """Transactional tests end with a flush: it must work, and must not lift the triggers."""
    _three_entries()
    call_command("flush", interactive=False, verbosity=0)

    assert AuditEntry.objects.count() == 0
    assert is_protected(connection)
    with pytest.raises(DatabaseError), transaction.atomic():
        audit_record(actor=None, action=AuditAction.EXPORT)
        raw("DELETE FROM audit_auditentry")
    # The chain starts again from the top of the emptied table.
    assert audit_record(actor=None, action=AuditAction.EXPORT).id == 1
    anchor_now()
    code, output = verify()
    assert code == 0 and output.startswith("OK 1 entries, head ")
