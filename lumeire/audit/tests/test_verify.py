"""audit_verify recomputes the chain and names the first entry that does not hold."""

from __future__ import annotations

import json

import pytest
from django.db import connection

from lumeire.audit.chain import GENESIS_HASH, plain_hash
from lumeire.audit.keys import CHAIN, current_key
from lumeire.audit.models import AuditAction, AuditEntry, AuditHead
from lumeire.audit.services import audit_record
from lumeire.audit.tests.conftest import (
    anchor_now,
    insert_rows,
    raw,
    record_entries,
    triggers_off,
    verify,
    verify_chain_line,
)

pytestmark = pytest.mark.django_db


def _entries(count: int = 5) -> list[AuditEntry]:
    return record_entries(count, AuditAction.KEY_ROTATION, "run")


def _row(entry_id: int, prev_hash: str, *, at, key_id: str, entry_hash: str = "") -> list:
    return [
        entry_id,
        at,
        "system",
        None,
        "",
        "export",
        "",
        "",
        None,
        [],
        "",
        "slipped in",
        "",
        prev_hash,
        key_id,
        entry_hash,
    ]


def test_an_intact_chain_is_ok_with_its_count_head_and_anchor():
    entries = _entries()
    anchor_now()
    code, output = verify()
    assert code == 0
    chain, anchor = output.splitlines()
    assert chain == f"OK 5 entries, head {entries[-1].entry_hash}"
    assert anchor.startswith("ANCHOR OK: entry 5 (5 entries) signed 0 s ago, 1 anchors checked")


def test_an_empty_log_is_ok():
    anchor_now()
    code, output = verify()
    assert (code, output.splitlines()[0]) == (0, f"OK 0 entries, head {GENESIS_HASH}")


def test_a_row_inserted_by_raw_sql_with_a_made_up_hash_is_found_at_that_entry():
    entries = _entries(3)
    row = _row(4, entries[-1].entry_hash, at=entries[-1].at, key_id=entries[-1].key_id)
    row[-1] = "f" * 64
    insert_rows([row])
    assert verify_chain_line() == (1, "BROKEN at entry 4: its hash does not match its contents")


def test_a_row_inserted_with_no_link_is_found_at_that_entry():
    entries = _entries(3)
    row = _row(4, GENESIS_HASH, at=entries[-1].at, key_id="")
    row[-1] = plain_hash(row)
    insert_rows([row])
    assert verify_chain_line() == (
        1,
        "BROKEN at entry 4: its previous hash does not match entry 3",
    )


def test_an_entry_edited_with_the_triggers_off_is_found_at_that_entry():
    _entries()
    with triggers_off("audit_auditentry"):
        raw("UPDATE audit_auditentry SET reason = 'nothing to see' WHERE id = 3")
    assert verify_chain_line() == (1, "BROKEN at entry 3: its hash does not match its contents")


def test_an_entry_deleted_with_the_triggers_off_is_found_where_it_was():
    _entries()
    with triggers_off("audit_auditentry"):
        raw("DELETE FROM audit_auditentry WHERE id = 2")
    assert verify_chain_line() == (1, "BROKEN at entry 3: entry 2 is missing (ids must follow on)")


def test_the_last_entries_deleted_with_the_triggers_off_are_found_by_the_head():
    _entries()
    with triggers_off("audit_auditentry"):
        raw("DELETE FROM audit_auditentry WHERE id >= 4")
    assert AuditHead.objects.get().last_id == 5
    assert verify_chain_line() == (
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
    assert verify_chain_line() == (1, "BROKEN at entry 1: its hash does not match its contents")


def test_the_key_id_is_covered_by_the_hmac():
    _entries(2)
    other = "ac-" + "0" * 16
    with triggers_off("audit_auditentry"):
        raw("UPDATE audit_auditentry SET key_id = %s WHERE id = 2", [other])
    assert verify_chain_line() == (
        1,
        f"BROKEN at entry 2: it is keyed with {other}, which no configured master key gives: "
        "put the master key it was made under in LUMEIRE_MASTER_KEYS_RETIRED",
    )
    assert current_key(CHAIN).key_id != other


def test_missing_triggers_are_reported_even_when_the_chain_holds():
    entries = _entries(2)
    anchor_now()
    with triggers_off("audit_auditentry"):
        code, output = verify()
        assert code == 1
        assert output.splitlines()[0] == f"OK 2 entries, head {entries[-1].entry_hash}"
        assert output.splitlines()[-1] == (
            f"UNPROTECTED: the {connection.vendor} triggers that refuse changes to the audit "
            "log are missing or disabled"
        )
    assert verify()[0] == 0


def test_bad_numbers_are_refused_with_a_clear_message(capsys):
    from django.core.management import call_command

    for option in (["--chunk-size", "0"], ["--anchor-max-age", "0"]):
        with pytest.raises(SystemExit) as exit_:
            call_command("audit_verify", *option)
        assert exit_.value.code == 2
    assert "--anchor-max-age must be at least 1 second." in capsys.readouterr().err


def test_a_malformed_master_key_writes_nothing_and_verify_says_why(settings, capsys):
    from django.core.management import call_command

    from lumeire.audit.errors import AuditKeyError

    settings.LUMEIRE_MASTER_KEY = "not base64!"
    with pytest.raises(AuditKeyError, match="LUMEIRE_MASTER_KEY must be base64 text"):
        audit_record(actor=None, action=AuditAction.EXPORT)
    assert not AuditEntry.objects.exists() and not AuditHead.objects.exists()
    with pytest.raises(SystemExit) as exit_:
        call_command("audit_verify")
    assert exit_.value.code == 2
    assert "The audit log's keys cannot be derived: LUMEIRE_MASTER_KEY must be base64 text." in (
        capsys.readouterr().err
    )
