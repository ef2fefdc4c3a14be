"""A log that began with plain SHA-256 entries keeps them as they are; one keyed seal, appended
by migration 0009, keys the chain from there on, and its HMAC covers every plain entry before."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from freezegun import freeze_time

from lumeire.audit.chain import (
    CHAIN_COLUMNS,
    ENTRY_HASH,
    GENESIS_HASH,
    HASHED_COLUMNS,
    KEY_ID,
    PREV_HASH,
    SEAL_ACTION,
    plain_hash,
)
from lumeire.audit.checkpoints import audit_checkpoint
from lumeire.audit.errors import AuditChainBrokenError
from lumeire.audit.keys import CHAIN, current_key
from lumeire.audit.legacy import seal_plain_entries
from lumeire.audit.models import AuditAction, AuditCheckpoint, AuditEntry, AuditHead
from lumeire.audit.protection import is_protected
from lumeire.audit.services import audit_record
from lumeire.audit.tests.conftest import (
    anchor_now,
    attacker_drops_the_triggers,
    insert_rows,
    raw,
    verify,
    verify_chain_line,
)

T0 = timezone.now() - timedelta(days=900)


def _plain_rows(count: int, *, first_id: int = 1, previous: str = GENESIS_HASH) -> list[list]:
    """Entries as the store wrote them before the chain was keyed: plain SHA-256, no key id."""
    rows = []
    for number in range(first_id, first_id + count):
        row = [
            number,
            T0 + timedelta(minutes=number),
            "system",
            None,
            "",
            "key_rotation",
            "vault.datakey",
            f"mk-{number}",
            None,
            [],
            "",
            f"legacy run {number}",
            "",
            previous,
            "",
            "",
        ]
        row[ENTRY_HASH] = plain_hash(row)
        previous = row[ENTRY_HASH]
        rows.append(row)
    return rows


def _legacy_log(count: int = 3) -> list[list]:
    rows = _plain_rows(count)
    insert_rows(rows)
    AuditHead.objects.update_or_create(
        pk=1, defaults={"last_id": rows[-1][0], "last_hash": rows[-1][ENTRY_HASH]}
    )
    return rows


def _seal() -> AuditEntry | None:
    return seal_plain_entries(AuditEntry, AuditHead, AuditCheckpoint)


def _stored() -> list[list]:
    return [list(r) for r in AuditEntry.objects.order_by("id").values_list(*CHAIN_COLUMNS)]


@pytest.mark.django_db(transaction=True)
def test_the_migration_seals_a_plain_log_without_rewriting_it():
    """The real path: a database at migration 0007 holding plain entries is migrated on."""
    call_command("migrate", "audit", "0007", verbosity=0)
    try:
        columns = [name for name in CHAIN_COLUMNS if name != "key_id"]
        rows = _plain_rows(3)
        for row in rows:
            at = row[1] if connection.vendor == "postgresql" else row[1].isoformat(sep=" ")
            values = [at if name == "at" else row[CHAIN_COLUMNS.index(name)] for name in columns]
            values[columns.index("fields")] = "[]"
            raw(
                f"INSERT INTO audit_auditentry ({', '.join(columns)}) "  # noqa: S608 - fixed names
                f"VALUES ({', '.join(['%s'] * len(columns))})",
                values,
            )
        raw("INSERT INTO audit_audithead (id, last_id, last_hash) VALUES (1, 3, %s)", [rows[2][15]])
    finally:
        call_command("migrate", "audit", verbosity=0)

    stored = _stored()
    assert [row[:KEY_ID] + row[ENTRY_HASH:] for row in stored[:3]] == [
        row[:KEY_ID] + row[ENTRY_HASH:] for row in rows
    ]
    assert [row[KEY_ID] for row in stored[:3]] == ["", "", ""]
    seal = AuditEntry.objects.get(pk=4)
    assert (seal.action, seal.actor_kind, seal.target_type, seal.target_id) == (
        SEAL_ACTION,
        "system",
        "audit.auditentry",
        "3",
    )
    assert seal.reason == "entries 1 to 3 carry plain SHA-256 hashes; the chain is keyed from here"
    assert seal.prev_hash == rows[2][ENTRY_HASH]
    assert seal.key_id == current_key(CHAIN).key_id
    assert (AuditHead.objects.get().last_id, AuditHead.objects.get().last_hash) == (
        4,
        seal.entry_hash,
    )
    assert is_protected(connection)  # SQLite remade the table; its triggers came back
    assert audit_record(actor=None, action=AuditAction.EXPORT).key_id == seal.key_id
    anchor_now()
    code, output = verify()
    assert code == 0, output
    assert output.splitlines()[0].startswith("OK 5 entries, head ")


@pytest.mark.django_db
def test_an_empty_or_keyed_log_gets_no_seal_and_sealing_twice_adds_one():
    assert _seal() is None
    audit_record(actor=None, action=AuditAction.EXPORT)
    assert _seal() is None
    assert AuditEntry.objects.count() == 1


@pytest.mark.django_db
def test_a_sealed_plain_log_verifies_and_a_second_seal_adds_nothing():
    _legacy_log()
    seal = _seal()
    assert seal.id == 4 and _seal() is None
    audit_record(actor=None, action=AuditAction.EXPORT)
    assert verify_chain_line()[0] == 0


@pytest.mark.django_db
def test_a_plain_entry_edited_and_rehashed_breaks_the_seals_link():
    rows = _legacy_log()
    _seal()
    rows[1][11] = "nothing to see"
    for index in (1, 2):
        rows[index][PREV_HASH] = rows[index - 1][ENTRY_HASH]
        rows[index][ENTRY_HASH] = plain_hash(rows[index])
    with attacker_drops_the_triggers():
        raw("DELETE FROM audit_auditentry WHERE id IN (2, 3)")
        insert_rows(rows[1:])
    assert verify_chain_line() == (
        1,
        "BROKEN at entry 4: its previous hash does not match entry 3",
    )
    with attacker_drops_the_triggers():
        raw("UPDATE audit_auditentry SET prev_hash = %s WHERE id = 4", [rows[2][ENTRY_HASH]])
    assert verify_chain_line() == (1, "BROKEN at entry 4: its hash does not match its contents")


@pytest.mark.django_db
def test_the_seal_and_what_follows_removed_leaves_plain_entries_that_fail():
    rows = _legacy_log()
    _seal()
    audit_record(actor=None, action=AuditAction.EXPORT)
    with attacker_drops_the_triggers():
        raw("DELETE FROM audit_auditentry WHERE id > 3")
        raw("UPDATE audit_audithead SET last_id = 3, last_hash = %s", [rows[2][ENTRY_HASH]])
    assert verify_chain_line() == (
        1,
        "BROKEN at entry 1: entries 1 to 3 carry plain SHA-256 hashes and no keyed seal follows "
        "them",
    )


@pytest.mark.django_db
def test_a_plain_entry_slipped_in_after_the_seal_fails():
    _legacy_log()
    seal = _seal()
    (slipped,) = _plain_rows(1, first_id=5, previous=seal.entry_hash)
    insert_rows([slipped])
    assert verify_chain_line() == (
        1,
        "BROKEN at entry 5: it carries a plain SHA-256 hash where the chain is already keyed",
    )


@pytest.mark.django_db
def test_keyed_entries_after_plain_ones_without_the_seal_fail():
    """A log migrated without its seal (the migration faked): the first keyed entry is found."""
    _legacy_log()
    audit_record(actor=None, action=AuditAction.EXPORT)
    assert verify_chain_line() == (
        1,
        "BROKEN at entry 4: it follows plain entries but is not the seal that keys the chain",
    )


@pytest.mark.django_db
def test_plain_entries_go_into_a_checkpoint_only_before_a_seal_that_holds():
    _legacy_log(5)
    _seal()
    with freeze_time(T0 + timedelta(days=400)):
        audit_record(actor=None, action=AuditAction.EXPORT)
        checkpoint = audit_checkpoint(before=T0 + timedelta(minutes=3, seconds=30))
    assert (checkpoint.first_id, checkpoint.last_id) == (1, 3)  # plain, the seal still live
    assert verify_chain_line("--archives")[0] == 0
    assert verify_chain_line()[0] == 0
    later = timezone.now() + timedelta(days=2)
    with freeze_time(later):
        second = audit_checkpoint(before=later - timedelta(days=1))
    assert (second.first_id, second.last_id) == (4, 6)  # the rest of the plain run and the seal
    assert verify_chain_line("--archives")[1].startswith("OK 9 entries (6 in 2 checkpoints)")


@pytest.mark.django_db
def test_a_log_stripped_to_plain_hashes_is_never_sealed_into_a_checkpoint():
    """No signed checkpoint may vouch for entries an attacker stripped of their HMAC."""
    with freeze_time(T0):
        for n in range(4):
            audit_record(actor=None, action=AuditAction.EXPORT, reason=f"run {n}")
    rows = _stored()
    previous = GENESIS_HASH
    for row in rows:
        row[KEY_ID], row[PREV_HASH] = "", previous
        row[ENTRY_HASH] = previous = plain_hash(row)
    with attacker_drops_the_triggers():
        raw("DELETE FROM audit_auditentry")
        insert_rows(rows)
        raw("UPDATE audit_audithead SET last_hash = %s", [previous])
    with pytest.raises(AuditChainBrokenError, match="no keyed seal follows them"):
        audit_checkpoint(before=T0 + timedelta(days=1))
    assert not AuditCheckpoint.objects.exists()


def test_an_archive_line_written_before_keying_reads_as_a_plain_entry():
    import json

    from lumeire.audit.chain import canonical_fields, row_of_archive_line

    (row,) = _plain_rows(1)
    old_line = json.dumps({**canonical_fields(row), "entry_hash": row[ENTRY_HASH]}).encode()
    read = row_of_archive_line(old_line)
    assert read[KEY_ID] == "" and read[ENTRY_HASH] == row[ENTRY_HASH]
    assert plain_hash(read) == row[ENTRY_HASH]
    assert len(read) == len(HASHED_COLUMNS) + 2
