"""audit_verify recomputes the chain and names the first entry that does not hold."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.db import connection

from lumeire.audit.chain import GENESIS_HASH, entry_hash
from lumeire.audit.models import AuditAction, AuditEntry, AuditHead
from lumeire.audit.services import audit_record
from lumeire.audit.tests.conftest import raw, triggers_off

pytestmark = pytest.mark.django_db


def _entries(count: int = 5) -> list[AuditEntry]:
    return [
        audit_record(actor=None, action=AuditAction.KEY_ROTATION, reason=f"run {n}")
        for n in range(count)
    ]


def _verify() -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("audit_verify", "--chunk-size", "2", stdout=out)
    except SystemExit as exit_:
        return int(exit_.code), out.getvalue().strip()
    return 0, out.getvalue().strip()


def test_an_intact_chain_is_ok_with_its_count_and_head():
    entries = _entries()
    assert _verify() == (0, f"OK 5 entries, head {entries[-1].entry_hash}")


def test_an_empty_log_is_ok():
    assert _verify() == (0, f"OK 0 entries, head {GENESIS_HASH}")


def test_a_row_inserted_by_raw_sql_with_a_wrong_hash_is_found_at_that_entry():
    entries = _entries(3)
    raw(
        "INSERT INTO audit_auditentry (id, at, actor_kind, actor_id, actor_roles, action, "
        "target_type, target_id, subject_id, fields, reason_category, reason, client_ref, "
        "prev_hash, entry_hash) VALUES (4, %s, 'system', NULL, '', 'export', '', '', NULL, "
        "'[]', '', 'slipped in', '', %s, %s)",
        [entries[-1].at, entries[-1].entry_hash, "f" * 64],
    )
    assert _verify() == (1, "BROKEN at entry 4: its hash does not match its contents")


def test_a_row_inserted_with_a_right_hash_but_no_link_is_found_at_that_entry():
    entries = _entries(3)
    row = (4, entries[-1].at, "system", None, "", "export", "", "", None, [], "", "", "", "0" * 64)
    raw(
        "INSERT INTO audit_auditentry (id, at, actor_kind, actor_id, actor_roles, action, "
        "target_type, target_id, subject_id, fields, reason_category, reason, client_ref, "
        "prev_hash, entry_hash) VALUES (4, %s, 'system', NULL, '', 'export', '', '', NULL, "
        "'[]', '', '', '', %s, %s)",
        [entries[-1].at, "0" * 64, entry_hash(row)],
    )
    assert _verify() == (1, "BROKEN at entry 4: its previous hash does not match entry 3")


def test_an_entry_edited_with_the_triggers_off_is_found_at_that_entry():
    _entries()
    with triggers_off("audit_auditentry"):
        raw("UPDATE audit_auditentry SET reason = 'nothing to see' WHERE id = 3")
    assert _verify() == (1, "BROKEN at entry 3: its hash does not match its contents")


def test_an_edit_with_its_hash_recomputed_is_found_at_the_next_link():
    _entries()
    edited = AuditEntry.objects.get(pk=3)
    edited.reason = "nothing to see"
    forged = entry_hash(edited.hashed_row())
    with triggers_off("audit_auditentry"):
        raw(
            "UPDATE audit_auditentry SET reason = %s, entry_hash = %s WHERE id = 3",
            ["nothing to see", forged],
        )
    assert _verify() == (1, "BROKEN at entry 4: its previous hash does not match entry 3")


def test_an_entry_deleted_with_the_triggers_off_is_found_where_it_was():
    _entries()
    with triggers_off("audit_auditentry"):
        raw("DELETE FROM audit_auditentry WHERE id = 2")
    assert _verify() == (1, "BROKEN at entry 3: entry 2 is missing (ids must follow on)")


def test_the_last_entries_deleted_with_the_triggers_off_are_found_by_the_head():
    _entries()
    with triggers_off("audit_auditentry"):
        raw("DELETE FROM audit_auditentry WHERE id >= 4")
    assert AuditHead.objects.get().last_id == 5
    assert _verify() == (
        1,
        "BROKEN at entry 4: the log ends at entry 3 but its head records entry 5",
    )


def test_fields_reordered_with_the_triggers_off_are_found():
    audit_record(actor=None, action=AuditAction.EXPORT, fields=["email", "phone"])
    with triggers_off("audit_auditentry"):
        raw(
            "UPDATE audit_auditentry SET fields = %s WHERE id = 1",
            [json.dumps(["phone", "email"])],
        )
    assert _verify() == (1, "BROKEN at entry 1: its hash does not match its contents")


def test_missing_triggers_are_reported_even_when_the_chain_holds():
    entries = _entries(2)
    with triggers_off("audit_auditentry"):
        assert _verify() == (
            1,
            f"OK 2 entries, head {entries[-1].entry_hash}\nUNPROTECTED: the "
            f"{connection.vendor} triggers that refuse changes to the audit log are missing or "
            "disabled",
        )
    assert _verify()[0] == 0
