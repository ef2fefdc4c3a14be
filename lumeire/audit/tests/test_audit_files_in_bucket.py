"""The audit log's files in the shared bucket. Checkpoint archives: written whole and sealed (no
entry's words in the object), verified from the bucket; an altered or missing one is found, and
one whose checkpoint did not commit is removed. Anchors: one object each, read by every node,
pruned in the bucket, a forged one found."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time

from lumeire.audit import anchors
from lumeire.audit.checkpoints import audit_checkpoint
from lumeire.audit.errors import AuditChainBrokenError
from lumeire.audit.models import AuditAction, AuditCheckpoint
from lumeire.audit.services import audit_record
from lumeire.audit.tests.conftest import (
    anchor_now,
    raw,
    record_entries,
    triggers_off,
    verify,
    verify_chain_line,
)
from lumeire.core.tests.s3server import use_bucket_storages

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)
LATER = T0 + timedelta(days=10)
CUTOFF = T0 + timedelta(days=1)
SECRET_WORDS = "lighthouse-keeper-ledger"


def _record(count: int, at: datetime, label: str) -> None:
    with freeze_time(at):
        for n in range(count):
            audit_record(actor=None, action=AuditAction.KEY_ROTATION, reason=f"{label} {n}")


def _sealed() -> AuditCheckpoint:
    _record(5, T0, SECRET_WORDS)
    _record(2, LATER, "young")
    with freeze_time(LATER + timedelta(hours=1)):
        return audit_checkpoint(before=CUTOFF)


def test_an_archive_is_written_sealed_to_the_bucket_and_verifies_from_it(s3, bucket, settings):
    checkpoint = _sealed()
    key = f"audit-archive/{checkpoint.archive_name}"

    stored = s3.objects(bucket)

    assert list(stored) == [key]
    assert stored[key].startswith(b"LUMEIRE AUDIT ARCHIVE 1\n")
    assert SECRET_WORDS.encode() not in stored[key]
    assert b"key_rotation" not in stored[key]
    assert not settings.LUMEIRE_AUDIT_ARCHIVE_DIR.exists()  # nothing on this node's disk
    code, line = verify_chain_line("--archives")
    assert code == 0, line
    assert line.startswith("OK ") and "(5 in 1 checkpoints)" in line


def test_an_altered_archive_in_the_bucket_is_broken(s3, bucket):
    checkpoint = _sealed()
    key = f"audit-archive/{checkpoint.archive_name}"
    data = bytearray(s3.objects(bucket)[key])
    data[-20] ^= 0x01
    s3.client().put_object(Bucket=bucket, Key=key, Body=bytes(data))

    assert verify_chain_line()[0] == 0  # the live chain and the signatures alone still hold
    assert verify_chain_line("--archives") == (
        1,
        f"BROKEN at checkpoint 1: its archive file {checkpoint.archive_name} does not match its "
        "SHA-256 (altered or replaced)",
    )


def test_a_missing_archive_in_the_bucket_is_broken(s3, bucket):
    checkpoint = _sealed()
    s3.client().delete_object(Bucket=bucket, Key=f"audit-archive/{checkpoint.archive_name}")

    assert verify_chain_line("--archives") == (
        1,
        f"BROKEN at checkpoint 1: its archive file {checkpoint.archive_name} is missing from "
        "the audit archive storage (LUMEIRE_STORAGE_URL)",
    )


def test_a_broken_run_leaves_no_object_in_the_bucket(s3, bucket):
    _record(5, T0, "run")
    _record(1, LATER, "run")
    with triggers_off("audit_auditentry"):
        raw("UPDATE audit_auditentry SET reason = 'nothing to see' WHERE id = 3")

    with freeze_time(LATER), pytest.raises(AuditChainBrokenError):
        audit_checkpoint(before=CUTOFF)

    assert s3.objects(bucket) == {}
    assert not AuditCheckpoint.objects.exists()


def test_a_checkpoint_that_does_not_commit_removes_its_object(s3, bucket, monkeypatch):
    """The archive is stored before the checkpoint row; if the transaction then fails, the
    object must not stay to pass for an archive of anything."""
    _record(5, T0, "run")
    _record(1, LATER, "run")
    from lumeire.audit import checkpoints

    def refuse(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(checkpoints, "_delete_sealed", refuse)
    with freeze_time(LATER), pytest.raises(RuntimeError, match="went away"):
        audit_checkpoint(before=CUTOFF)

    assert s3.objects(bucket) == {}
    assert not AuditCheckpoint.objects.exists()


def test_anchors_are_objects_in_the_bucket_that_every_node_reads(s3, bucket, settings):
    record_entries(3, AuditAction.KEY_ROTATION)
    printed = anchor_now()

    (key,) = s3.objects(bucket)
    assert key.startswith("audit-anchors/head-") and key.endswith("-3.json")
    assert printed.endswith(f": the audit anchor storage (LUMEIRE_STORAGE_URL)/{key[14:]}")
    assert not settings.LUMEIRE_AUDIT_ANCHOR_DIR.exists()  # nothing on this node's disk
    # Another node: storages made anew from the same URL, its own (empty) anchor folder.
    settings.LUMEIRE_AUDIT_ANCHOR_DIR = settings.LUMEIRE_AUDIT_ANCHOR_DIR.parent / "node-b"
    use_bucket_storages(settings, s3, bucket)
    record_entries(2, AuditAction.KEY_ROTATION)
    assert anchor_now().startswith("ANCHORED entry 5 (5 entries)")  # it went on from node A's
    code, output = verify()
    assert code == 0, output
    assert output.splitlines()[1].startswith("ANCHOR OK: entry 5 (5 entries)")
    assert "2 anchors checked" in output.splitlines()[1]


def test_old_anchors_are_pruned_in_the_bucket(s3, bucket, monkeypatch):
    monkeypatch.setattr(anchors, "KEEP_LATEST", 3)
    monkeypatch.setattr(anchors, "KEEP_DAILY_DAYS", 2)
    day = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
    written = [
        anchors.write_anchor(entry_id=0, entry_hash="0" * 64, count=0, at=at)
        for at in [day - timedelta(days=5), day - timedelta(days=1)]
        + [day + timedelta(minutes=minute) for minute in range(5)]
    ]

    kept = sorted(key.removeprefix("audit-anchors/") for key in s3.objects(bucket))

    assert kept == sorted([written[1].name, *(anchor.name for anchor in written[-3:])])


def test_a_forged_anchor_in_the_bucket_is_broken(s3, bucket):
    record_entries(2, AuditAction.KEY_ROTATION)
    anchor_now()
    (key, body) = next(iter(s3.objects(bucket).items()))
    forged = body.replace(b'"count":2', b'"count":9')
    assert forged != body
    s3.client().put_object(Bucket=bucket, Key=key, Body=forged)

    code, output = verify()

    assert code == 1
    assert output.splitlines()[1].startswith("ANCHOR BROKEN: head-")
    assert "its signature does not match its contents" in output.splitlines()[1]
