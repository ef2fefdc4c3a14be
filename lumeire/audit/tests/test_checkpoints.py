"""Old entries move into a signed checkpoint and a sealed archive; the chain still verifies."""

from __future__ import annotations

import base64
import hashlib
import os
import stat
import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, connections, transaction
from freezegun import freeze_time

from lumeire.audit import archive
from lumeire.audit.chain import CHAIN_COLUMNS, ENTRY_HASH, GENESIS_HASH, row_of_archive_line
from lumeire.audit.checkpoints import audit_checkpoint, current_keys
from lumeire.audit.errors import AuditChainBrokenError, AuditLogImmutableError
from lumeire.audit.models import AuditAction, AuditCheckpoint, AuditEntry, AuditHead
from lumeire.audit.protection import is_protected
from lumeire.audit.services import audit_record
from lumeire.audit.signing import CHECKPOINT_INFO, derive_key, key_id_of, sign
from lumeire.audit.tests.conftest import insert_rows, raw, triggers_off, verify_chain_line

T0 = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)
LATER = T0 + timedelta(days=10)
CUTOFF = T0 + timedelta(days=1)


def _record(count: int, at: datetime, label: str = "run") -> list[AuditEntry]:
    with freeze_time(at):
        return [
            audit_record(actor=None, action=AuditAction.KEY_ROTATION, reason=f"{label} {n}")
            for n in range(count)
        ]


def _verify(*options: str) -> tuple[int, str]:
    """The chain's verdict (anchors have their own tests)."""
    return verify_chain_line(*options)


def _live_ids() -> list[int]:
    return list(AuditEntry.objects.order_by("id").values_list("id", flat=True))


def _new_master_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def _archive_path(checkpoint: AuditCheckpoint):
    return archive.archive_dir() / checkpoint.archive_name


@pytest.fixture
def sealed() -> tuple[list[AuditEntry], list[AuditEntry], AuditCheckpoint]:
    """Five old entries sealed in checkpoint 1; two younger ones and its own record stay live."""
    old = _record(5, T0, "old")
    young = _record(2, LATER, "young")
    with freeze_time(LATER + timedelta(hours=1)):
        checkpoint = audit_checkpoint(before=CUTOFF)
    return old, young, checkpoint


@pytest.mark.django_db
def test_old_entries_move_into_a_signed_checkpoint_and_the_chain_still_verifies(sealed):
    old, young, checkpoint = sealed
    record = AuditEntry.objects.get(action=AuditAction.AUDIT_CHECKPOINT)

    assert (checkpoint.sequence, checkpoint.first_id, checkpoint.last_id) == (1, 1, 5)
    assert checkpoint.entry_count == 5
    assert checkpoint.start_hash == GENESIS_HASH
    assert checkpoint.last_hash == old[-1].entry_hash
    digest = hashlib.sha256("".join(entry.entry_hash for entry in old).encode()).hexdigest()
    assert checkpoint.range_digest == digest
    assert checkpoint.key_id == current_keys().key_id and checkpoint.key_id.startswith("ak-")
    assert "/" not in checkpoint.archive_name
    assert _live_ids() == [6, 7, 8]
    assert (record.id, record.actor_kind, record.target_type, record.target_id) == (
        8,
        "system",
        "audit.auditcheckpoint",
        "1",
    )
    assert record.reason == "entries 1 to 5"
    assert young[0].prev_hash == checkpoint.last_hash  # the live chain goes on from the seal
    assert _verify() == (0, f"OK 8 entries (5 in 1 checkpoints), head {record.entry_hash}")
    assert audit_record(actor=None, action=AuditAction.EXPORT).id == 9
    assert _verify()[1].startswith("OK 9 entries (5 in 1 checkpoints), head ")


@pytest.mark.django_db
def test_the_signing_key_is_derived_never_the_master_key_itself(settings):
    keys = current_keys()
    master = base64.b64decode(settings.LUMEIRE_MASTER_KEY)
    assert keys.signing == derive_key(settings.LUMEIRE_MASTER_KEY, CHECKPOINT_INFO)
    assert master not in (keys.signing, keys.archive) and keys.signing != keys.archive
    expected = "ak-" + hashlib.sha256(b"lumeire audit key id|" + keys.signing).hexdigest()[:16]
    assert keys.key_id == key_id_of(keys.signing) == expected


@pytest.mark.django_db
def test_the_archive_round_trips_and_audit_verify_archives_recomputes_it(sealed):
    old, _young, checkpoint = sealed
    path = _archive_path(checkpoint)

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert list(path.parent.iterdir()) == [path]  # nothing left aside
    assert hashlib.sha256(path.read_bytes()).hexdigest() == checkpoint.archive_sha256
    assert b"old 0" not in path.read_bytes()  # sealed, not clear text
    rows = [
        row_of_archive_line(line)
        for line in archive.archive_lines(path, sequence=1, key=current_keys().archive)
    ]
    assert [row[0] for row in rows] == [1, 2, 3, 4, 5]
    assert [row[11] for row in rows] == [entry.reason for entry in old]
    assert [row[ENTRY_HASH] for row in rows] == [entry.entry_hash for entry in old]
    assert {row[14] for row in rows} == {old[0].key_id}  # the key id travels with each entry
    assert rows[0][1] == old[0].at
    assert len(CHAIN_COLUMNS) == len(rows[0])
    assert _verify("--archives")[0] == 0


@pytest.mark.django_db
def test_big_ranges_are_read_and_sealed_in_chunks(monkeypatch):
    monkeypatch.setattr(archive, "CHUNK_BYTES", 600)  # a few entries per sealed chunk
    _record(23, T0)
    _record(1, LATER)
    with freeze_time(LATER):
        checkpoint = audit_checkpoint(before=CUTOFF, chunk_size=4)
    assert checkpoint.entry_count == 23
    assert _archive_path(checkpoint).stat().st_size > 5 * 600
    assert _verify("--archives")[1].startswith("OK 25 entries (23 in 1 checkpoints), head ")


@pytest.mark.django_db
def test_checkpoints_follow_on_and_the_head_entry_always_stays_live():
    first_batch = _record(4, T0)
    with freeze_time(LATER):
        first = audit_checkpoint(before=LATER + timedelta(days=1))
        # Every entry was old enough, the newest one still stays live.
        assert (first.first_id, first.last_id) == (1, 3)
        assert _live_ids() == [4, 5]
    _record(3, LATER + timedelta(days=2))
    with freeze_time(LATER + timedelta(days=5)):
        second = audit_checkpoint(before=LATER + timedelta(days=4))
    assert (second.sequence, second.first_id, second.last_id) == (2, 4, 7)
    assert second.start_hash == first.last_hash
    assert first.start_hash == GENESIS_HASH and first.last_hash == first_batch[2].entry_hash
    assert _live_ids() == [8, 9]
    assert _verify("--archives")[1].startswith("OK 9 entries (7 in 2 checkpoints), head ")


@pytest.mark.django_db
def test_a_second_call_with_the_same_moment_does_nothing():
    _record(3, T0)
    before = T0 + timedelta(days=30)  # every entry, the checkpoint's own record too, is older
    with freeze_time(T0 + timedelta(days=1)):
        assert audit_checkpoint(before=before).last_id == 2
        live = list(AuditEntry.objects.order_by("id").values_list("id", "entry_hash"))
        assert audit_checkpoint(before=before) is None
        assert audit_checkpoint(before=before) is None
    assert list(AuditEntry.objects.order_by("id").values_list("id", "entry_hash")) == live
    assert AuditCheckpoint.objects.count() == 1
    assert len(list(archive.archive_dir().iterdir())) == 1


@pytest.mark.django_db
def test_nothing_happens_when_no_entry_is_old_enough():
    _record(3, LATER)
    with freeze_time(LATER):
        assert audit_checkpoint(before=CUTOFF) is None
    assert audit_checkpoint(before=T0) is None
    assert _live_ids() == [1, 2, 3]
    assert not AuditCheckpoint.objects.exists()
    assert not archive.archive_dir().exists()  # not even made while nothing is sealed
    assert _verify()[1].startswith("OK 3 entries, head ")


@pytest.mark.django_db
def test_an_empty_log_or_a_single_entry_is_never_sealed():
    assert audit_checkpoint(before=LATER) is None
    _record(1, T0)
    assert audit_checkpoint(before=LATER) is None
    assert _live_ids() == [1]


@pytest.mark.django_db
def test_a_tampered_signature_or_column_is_broken(sealed):
    _old, _young, checkpoint = sealed
    with triggers_off("audit_auditcheckpoint"):
        raw("UPDATE audit_auditcheckpoint SET signature = %s WHERE sequence = 1", ["0" * 64])
    assert _verify() == (1, "BROKEN at checkpoint 1: its signature does not match its contents")
    with triggers_off("audit_auditcheckpoint"):
        raw(
            "UPDATE audit_auditcheckpoint SET signature = %s, entry_count = 4 WHERE sequence = 1",
            [checkpoint.signature],
        )
    assert _verify() == (1, "BROKEN at checkpoint 1: its signature does not match its contents")


@pytest.mark.django_db
def test_a_checkpoint_signed_with_an_unconfigured_key_is_reported_by_its_key_id(sealed, settings):
    _old, _young, checkpoint = sealed
    original = settings.LUMEIRE_MASTER_KEY
    settings.LUMEIRE_MASTER_KEY = _new_master_key()
    settings.LUMEIRE_MASTER_KEYS_RETIRED = []
    assert _verify() == (
        1,
        f"BROKEN at checkpoint 1: it is signed with key {checkpoint.key_id}, which no configured "
        "master key gives: put the master key it was made under in LUMEIRE_MASTER_KEYS_RETIRED",
    )
    # After a rotation the old master key, kept as retired, still verifies old checkpoints.
    settings.LUMEIRE_MASTER_KEYS_RETIRED = [original]
    assert _verify("--archives")[0] == 0
    _record(2, LATER + timedelta(days=3))
    with freeze_time(LATER + timedelta(days=5)):
        second = audit_checkpoint(before=LATER + timedelta(days=4))
    assert second.key_id != checkpoint.key_id
    assert _verify("--archives")[1].startswith("OK 11 entries (9 in 2 checkpoints), head ")


@pytest.mark.django_db
def test_a_checkpoint_forged_with_another_key_is_broken(sealed, settings):
    _old, _young, checkpoint = sealed
    other = derive_key(_new_master_key(), CHECKPOINT_INFO)
    forged = {**checkpoint.signed_columns(), "key_id": checkpoint.key_id}
    with triggers_off("audit_auditcheckpoint"):
        raw(
            "UPDATE audit_auditcheckpoint SET signature = %s WHERE sequence = 1",
            [sign(forged, other)],
        )
    assert _verify()[1] == "BROKEN at checkpoint 1: its signature does not match its contents"


@pytest.mark.django_db
def test_a_tampered_archive_is_broken_with_archives(sealed):
    _old, _young, checkpoint = sealed
    path = _archive_path(checkpoint)
    data = bytearray(path.read_bytes())
    data[-20] ^= 0x01
    path.write_bytes(bytes(data))

    assert _verify()[0] == 0  # the live chain and the signatures alone still hold
    assert _verify("--archives") == (
        1,
        f"BROKEN at checkpoint 1: its archive file {checkpoint.archive_name} does not match its "
        "SHA-256 (altered or replaced)",
    )
    with pytest.raises(archive.ArchiveError, match="chunk 0 does not open"):
        list(archive.archive_lines(path, sequence=1, key=current_keys().archive))


@pytest.mark.django_db
def test_an_archive_opens_only_as_its_own_checkpoints_and_whole(sealed):
    _old, _young, checkpoint = sealed
    path = _archive_path(checkpoint)
    key = current_keys().archive
    with pytest.raises(archive.ArchiveError, match="does not open"):
        list(archive.archive_lines(path, sequence=2, key=key))
    with pytest.raises(archive.ArchiveError, match="does not open"):
        list(archive.archive_lines(path, sequence=1, key=os.urandom(32)))
    path.write_bytes(path.read_bytes()[:-30])
    with pytest.raises(archive.ArchiveError, match="cut short"):
        list(archive.archive_lines(path, sequence=1, key=key))


@pytest.mark.django_db
def test_a_missing_archive_file_is_broken_with_archives(sealed):
    _old, _young, checkpoint = sealed
    _archive_path(checkpoint).unlink()
    assert _verify()[0] == 0
    assert _verify("--archives") == (
        1,
        f"BROKEN at checkpoint 1: its archive file {checkpoint.archive_name} is missing from "
        "LUMEIRE_AUDIT_ARCHIVE_DIR",
    )


@pytest.mark.django_db
def test_live_entries_above_the_checkpoint_cannot_be_deleted_or_changed(sealed):
    before = list(AuditEntry.objects.order_by("id").values_list("id", "entry_hash"))
    assert is_protected(connection)
    for statement in (
        "DELETE FROM audit_auditentry WHERE id = 6",
        "DELETE FROM audit_auditentry",
        "UPDATE audit_auditentry SET reason = 'nothing happened' WHERE id = 7",
    ):
        with (
            pytest.raises(DatabaseError, match="cannot be changed or deleted"),
            transaction.atomic(),
        ):
            raw(statement)
    with pytest.raises(AuditLogImmutableError):
        AuditEntry.objects.filter(id__lte=5).delete()
    assert list(AuditEntry.objects.order_by("id").values_list("id", "entry_hash")) == before


@pytest.mark.django_db
def test_checkpoint_rows_cannot_be_changed_or_deleted(sealed):
    _old, _young, checkpoint = sealed
    for statement in (
        "UPDATE audit_auditcheckpoint SET last_id = 7 WHERE sequence = 1",
        "UPDATE audit_auditcheckpoint SET signature = 'x'",
        "DELETE FROM audit_auditcheckpoint WHERE sequence = 1",
        "DELETE FROM audit_auditcheckpoint",
    ):
        with (
            pytest.raises(DatabaseError, match="audit checkpoints cannot be changed or deleted"),
            transaction.atomic(),
        ):
            raw(statement)
    stored = AuditCheckpoint.objects.get()
    stored.last_id = 7
    with pytest.raises(AuditLogImmutableError):
        stored.save()
    with pytest.raises(AuditLogImmutableError):
        stored.delete()
    with pytest.raises(AuditLogImmutableError):
        AuditCheckpoint.objects.update(last_id=7)
    with pytest.raises(AuditLogImmutableError):
        AuditCheckpoint.objects.all().delete()
    assert AuditCheckpoint.objects.get().last_id == checkpoint.last_id == 5


@pytest.mark.django_db
def test_a_forged_checkpoint_unlocks_a_delete_but_audit_verify_finds_it(sealed):
    """Raising the sealed mark with an unsigned row lets the trigger pass; the signature fails."""
    _old, _young, checkpoint = sealed
    raw(
        "INSERT INTO audit_auditcheckpoint (sequence, created_at, first_id, last_id, "
        "entry_count, start_hash, last_hash, range_digest, archive_name, archive_sha256, "
        "key_id, signature) VALUES (2, %s, 6, 7, 2, %s, %s, %s, 'x.sealed', %s, %s, %s)",
        [LATER, checkpoint.last_hash, "a" * 64, "b" * 64, "c" * 64, checkpoint.key_id, "d" * 64],
    )
    raw("DELETE FROM audit_auditentry WHERE id <= 7")
    assert _verify() == (1, "BROKEN at checkpoint 2: its signature does not match its contents")


@pytest.mark.django_db
def test_an_entry_put_back_below_the_checkpoint_is_broken(sealed):
    old, _young, _checkpoint = sealed
    kept = old[2]
    insert_rows([[getattr(kept, name) for name in CHAIN_COLUMNS]])
    assert _verify() == (
        1,
        "BROKEN at entry 3: it is still in the live log although checkpoint 1 sealed it",
    )


@pytest.mark.django_db
def test_a_broken_run_is_never_sealed():
    _record(5, T0)
    _record(1, LATER)
    with triggers_off("audit_auditentry"):
        raw("UPDATE audit_auditentry SET reason = 'nothing to see' WHERE id = 3")
    with freeze_time(LATER), pytest.raises(AuditChainBrokenError, match="entry 3 does not chain"):
        audit_checkpoint(before=CUTOFF)
    assert not AuditCheckpoint.objects.exists()
    assert _live_ids() == [1, 2, 3, 4, 5, 6]
    assert list(archive.archive_dir().iterdir()) == []  # the partial file is gone too
    assert _verify() == (1, "BROKEN at entry 3: its hash does not match its contents")


@pytest.mark.django_db
def test_a_missing_head_row_is_made_again_from_the_newest_checkpoint(sealed):
    """When every entry has left the live table, the next append links to the checkpoint."""
    _old, _young, checkpoint = sealed
    with triggers_off("audit_auditentry"):
        raw("DELETE FROM audit_auditentry")
    AuditHead.objects.all().delete()
    entry = audit_record(actor=None, action=AuditAction.EXPORT)
    assert (entry.id, entry.prev_hash) == (6, checkpoint.last_hash)
    assert _verify() == (0, f"OK 6 entries (5 in 1 checkpoints), head {entry.entry_hash}")


@pytest.mark.django_db(transaction=True)
def test_a_flush_empties_checkpoints_and_leaves_every_trigger():
    _record(3, T0)
    with freeze_time(LATER):
        audit_checkpoint(before=CUTOFF)
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditCheckpoint.objects.exists() and not AuditEntry.objects.exists()
    assert is_protected(connection)
    assert audit_record(actor=None, action=AuditAction.EXPORT).id == 1


@pytest.mark.django_db(transaction=True)
def test_appends_while_checkpoints_are_made_keep_one_chain():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time; the race is PostgreSQL's")
    writers, each = 4, 15
    start = threading.Barrier(writers + 1)
    failures: list[BaseException] = []

    def writer(number: int) -> None:
        try:
            start.wait()
            for step in range(each):
                audit_record(actor=None, action=AuditAction.EXPORT, target_id=f"w{number}-{step}")
        except BaseException as error:
            failures.append(error)
        finally:
            connections.close_all()

    def sealer() -> None:
        try:
            start.wait()
            for _ in range(10):
                audit_checkpoint(before=datetime.now(UTC) + timedelta(days=1), max_entries=7)
        except BaseException as error:
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(writers)]
    threads.append(threading.Thread(target=sealer))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    code, output = _verify("--archives")
    assert code == 0, output
    sealed_count = AuditCheckpoint.objects.count()
    assert output.startswith(f"OK {writers * each + sealed_count} entries")
