"""Signed heads of the log: written outside the database every minute, checked by audit_verify."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import stat
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.core.management import call_command
from django.utils import timezone
from freezegun import freeze_time

from lumeire.audit import anchors
from lumeire.audit.checkpoints import audit_checkpoint
from lumeire.audit.errors import AuditAnchorRefusedError
from lumeire.audit.models import AuditAction, AuditEntry
from lumeire.audit.tests.conftest import anchor_now, raw, record_entries, triggers_off, verify

pytestmark = pytest.mark.django_db


def _entries(count: int) -> list[AuditEntry]:
    return record_entries(count, AuditAction.EXPORT)


def _anchor_key(master: str) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"lumeire audit anchor"
    ).derive(base64.b64decode(master))


def test_an_anchor_is_a_small_private_file_signed_by_its_own_derived_key(settings):
    entries = _entries(3)
    moment = datetime(2026, 3, 1, 12, 0, 0, 250000, tzinfo=UTC)
    with freeze_time(moment):
        printed = anchor_now()
    folder = anchors.anchor_dir()
    (path,) = folder.iterdir()
    assert path.name == "head-20260301T120000.250000Z-3.json"
    assert printed == (
        f"ANCHORED entry 3 (3 entries), hash {entries[-1].entry_hash}, at "
        f"2026-03-01T12:00:00.250000Z: {path}"
    )
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    body = json.loads(path.read_bytes())
    key = _anchor_key(settings.LUMEIRE_MASTER_KEY)
    signed = {name: value for name, value in body.items() if name != "mac"}
    assert signed == {
        "anchor": 1,
        "entry_id": 3,
        "entry_hash": entries[-1].entry_hash,
        "count": 3,
        "at": "2026-03-01T12:00:00.250000Z",
        "key_id": "an-" + hashlib.sha256(b"lumeire audit key id|" + key).hexdigest()[:16],
    }
    message = json.dumps(signed, sort_keys=True, separators=(",", ":")).encode()
    assert body["mac"] == hmac.new(key, message, hashlib.sha256).hexdigest()
    assert key not in path.read_bytes() and settings.LUMEIRE_MASTER_KEY.encode() not in (
        path.read_bytes()
    )


def test_verify_reports_the_newest_anchor_and_its_age_and_fails_past_the_limit():
    start = timezone.now()
    with freeze_time(start):
        _entries(2)
        anchor_now()
    with freeze_time(start + timedelta(seconds=100)):
        code, output = verify()
        assert (code, output.splitlines()[1]) == (
            0,
            "ANCHOR OK: entry 2 (2 entries) signed 100 s ago, 1 anchors checked",
        )
        code, output = verify("--anchor-max-age", "60")
    assert code == 1
    assert output.splitlines()[1] == (
        "ANCHOR STALE: the newest, entry 2 (2 entries) signed 100 s ago, 1 anchors checked, is "
        "older than 60 s; is the worker running? `manage.py audit_anchor` writes one now"
    )


def test_no_anchor_fails_unless_allowed():
    _entries(1)
    code, output = verify()
    assert code == 1
    assert output.splitlines()[1] == (
        f"ANCHOR MISSING: no signed head in {anchors.anchor_dir()}; the worker writes one every "
        "minute, `manage.py audit_anchor` writes one now"
    )
    code, output = verify("--allow-stale-anchor")
    assert code == 0 and output.splitlines()[1].endswith("writes one now (allowed)")


def test_an_anchor_dated_far_in_the_future_is_a_clock_problem_not_a_pass():
    _entries(1)
    with freeze_time(timezone.now() + timedelta(hours=1)):
        anchor_now()
    code, output = verify()
    assert code == 1
    assert output.splitlines()[1].endswith("is dated in the future: check the clock")


def test_each_anchor_checks_only_what_was_appended_since_the_previous_one():
    """An old break is audit_verify's to find; the anchor reads from its previous anchor on."""
    _entries(3)
    anchor_now()
    _entries(2)
    with triggers_off("audit_auditentry"):
        raw("UPDATE audit_auditentry SET reason = 'edited' WHERE id = 2")
    assert anchor_now().startswith("ANCHORED entry 5 (5 entries)")
    code, output = verify()
    assert code == 1 and output.splitlines()[0] == (
        "BROKEN at entry 2: its hash does not match its contents"
    )


def test_an_anchor_is_refused_when_the_entries_since_the_previous_one_do_not_hold(capsys):
    _entries(3)
    anchor_now()
    _entries(2)
    with triggers_off("audit_auditentry"):
        raw("UPDATE audit_auditentry SET reason = 'edited' WHERE id = 5")
    with pytest.raises(SystemExit) as exit_:
        call_command("audit_anchor")
    assert exit_.value.code == 1
    assert capsys.readouterr().err.strip() == (
        "No anchor written: BROKEN at entry 5: its hash does not match its contents"
    )
    assert [anchor.entry_id for anchor in anchors.read_anchors().anchors] == [3]


def test_the_first_anchor_checks_the_whole_log():
    _entries(3)
    with triggers_off("audit_auditentry"):
        raw("UPDATE audit_auditentry SET reason = 'edited' WHERE id = 1")
    with pytest.raises(AuditAnchorRefusedError, match="BROKEN at entry 1"):
        anchors.audit_anchor()
    assert not anchors.read_anchors().anchors


def test_an_anchor_whose_entry_moved_into_a_checkpoint_still_holds():
    start = timezone.now()
    with freeze_time(start):
        _entries(3)
        anchor_now()  # entry 3
        _entries(1)
    with freeze_time(start + timedelta(days=1)):
        checkpoint = audit_checkpoint(before=start + timedelta(hours=1))
        assert (checkpoint.first_id, checkpoint.last_id) == (1, 3)
        assert anchor_now().startswith("ANCHORED entry 5 (5 entries)")
        code, output = verify()
    assert code == 0, output
    assert output.splitlines()[1].startswith("ANCHOR OK: entry 5 (5 entries)")


def test_the_latest_sixty_and_the_newest_of_each_recent_day_are_kept(monkeypatch):
    monkeypatch.setattr(anchors, "KEEP_DAILY_DAYS", 3)
    day = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
    written = []
    for days_before in (5, 2, 1):
        for minute in range(3):
            at = day - timedelta(days=days_before) + timedelta(minutes=minute)
            written.append(anchors.write_anchor(entry_id=0, entry_hash="0" * 64, count=0, at=at))
    for minute in range(62):
        at = day + timedelta(minutes=minute)
        written.append(anchors.write_anchor(entry_id=0, entry_hash="0" * 64, count=0, at=at))
    kept = sorted(path.name for path in anchors.anchor_dir().iterdir())
    assert kept == sorted(
        [written[5].name, written[8].name, *(anchor.name for anchor in written[-60:])]
    )  # the newest of two days ago and of yesterday; five days ago is past the three days


def test_entries_and_anchors_made_under_a_retired_master_key_still_verify(settings):
    import os

    _entries(2)
    anchor_now()
    old_master = settings.LUMEIRE_MASTER_KEY
    settings.LUMEIRE_MASTER_KEY = base64.b64encode(os.urandom(32)).decode()
    settings.LUMEIRE_MASTER_KEYS_RETIRED = [old_master]
    _entries(1)
    anchor_now()
    (first, second) = anchors.read_anchors().anchors
    assert first.key_id != second.key_id
    assert AuditEntry.objects.get(pk=3).key_id != AuditEntry.objects.get(pk=1).key_id
    assert verify()[0] == 0
    settings.LUMEIRE_MASTER_KEYS_RETIRED = []
    code, output = verify()
    assert code == 1
    assert f"it is keyed with {AuditEntry.objects.get(pk=1).key_id}" in output.splitlines()[0]
    assert "which no configured master key gives" in output.splitlines()[1]


@pytest.mark.django_db(transaction=True)
def test_the_periodic_task_anchors_every_minute_through_the_worker(settings):
    from django_tasks_db.models import DBTaskResult

    from lumeire.audit.tasks import audit_anchor_task
    from lumeire.core.periodic import periodic_tasks, schedule_periodic_pass

    path = "lumeire.audit.tasks.audit_anchor_task"
    assert {entry.path: entry for entry in periodic_tasks()}[path].every == timedelta(minutes=1)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    _entries(2)
    stale = DBTaskResult.objects.create(
        task_path=path,
        status="SUCCESSFUL",
        args_kwargs={"args": [], "kwargs": {}},
        run_after=timezone.now() - timedelta(days=2),
        finished_at=timezone.now() - timedelta(days=2),
        backend_name="default",
    )
    call_command("schedule_periodic", stdout=io.StringIO())
    call_command("task_worker", "--batch", "--no-startup-delay", stdout=io.StringIO())

    assert [anchor.entry_id for anchor in anchors.read_anchors().anchors] == [2]
    done = DBTaskResult.objects.get(task_path=path, status="SUCCESSFUL")
    assert done.return_value == {"anchored": True, "entry_id": 2, "count": 2}
    # The next minute's slot gets its own run, queued by the worker's pass, not by the task.
    assert not DBTaskResult.objects.filter(task_path=path, status="READY").exists()
    next_minute = timezone.now() + timedelta(minutes=1)
    schedule_periodic_pass(now=next_minute)
    waiting = DBTaskResult.objects.get(task_path=path, status="READY")
    assert waiting.run_after == next_minute.replace(second=0, microsecond=0)
    assert not DBTaskResult.objects.filter(pk=stale.pk).exists()
    assert audit_anchor_task.module_path == path


def test_an_unwritable_anchor_folder_is_a_clear_error_and_the_task_keeps_its_schedule(
    settings, tmp_path, capsys
):
    from lumeire.audit.tasks import audit_anchor_task

    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the folder should be")
    settings.LUMEIRE_AUDIT_ANCHOR_DIR = blocked / "anchors"
    _entries(1)
    with pytest.raises(SystemExit) as exit_:
        call_command("audit_anchor")
    assert exit_.value.code == 2
    assert capsys.readouterr().err.startswith(
        f"No anchor written: {blocked / 'anchors'} cannot be written ("
    )
    result = audit_anchor_task.enqueue()
    assert result.return_value == {"anchored": False, "why": "the anchor folder cannot be written"}
