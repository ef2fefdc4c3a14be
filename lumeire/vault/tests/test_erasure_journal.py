"""The erasure journal: each destroyed key is recorded outside the database, signed and chained,
so an edited, forged, removed or moved line is caught, and a journal that cannot be written
stops the shred instead of letting it happen unrecorded."""

from __future__ import annotations

import json
import os
import stat
import uuid

import pytest

from lumeire.vault.errors import VaultConfigurationError
from lumeire.vault.journal import (
    ErasureJournalError,
    journal_append,
    journal_path,
    journal_reseal,
    read_journal,
)
from lumeire.vault.models import DataKey
from lumeire.vault.services import shred
from lumeire.vault.tests.conftest import random_master_key
from lumeire.vault.tests.sample.models import SamplePerson


def _lines() -> list[dict]:
    return [json.loads(line) for line in journal_path().read_text().splitlines()]


def _write(lines: list[dict]) -> None:
    text = "".join(json.dumps(line, sort_keys=True, separators=(",", ":")) + "\n" for line in lines)
    journal_path().write_text(text)


def _append_three() -> list[uuid.UUID]:
    subjects = [uuid.uuid4() for _ in range(3)]
    for subject in subjects:
        journal_append(subject_id=subject, data_key_id=uuid.uuid4())
    return subjects


def test_a_shred_records_the_destroyed_key_in_a_private_file(make_person):
    person = make_person()
    key = DataKey.objects.get(subject_id=person.pk)

    assert shred(person.pk) is True

    reading = read_journal()
    assert reading.problems == ()
    assert [(r.subject_id, r.data_key_id, r.seq) for r in reading.records] == [
        (person.pk, key.id, 1)
    ]
    assert stat.S_IMODE(os.stat(journal_path()).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(journal_path().parent).st_mode) == 0o700
    # A second shred of the same subject destroys nothing and records nothing.
    assert shred(person.pk) is False
    assert len(read_journal().records) == 1


def test_a_journal_that_cannot_be_written_stops_the_shred(make_person, settings, tmp_path):
    person = make_person()
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the journal folder should be")
    settings.LUMEIRE_ERASURE_JOURNAL_DIR = blocker / "journal"

    with pytest.raises(ErasureJournalError):
        shred(person.pk)

    row = DataKey.objects.get(subject_id=person.pk)
    assert row.wrapped_key is not None and row.shredded_at is None
    assert SamplePerson.objects.get(pk=person.pk).full_name == "Aisha Al-Harbi"


def test_an_edited_line_fails_its_signature():
    subjects = _append_three()
    lines = _lines()
    lines[1]["subject"] = str(uuid.uuid4())  # hide the second erasure from a replay
    _write(lines)

    reading = read_journal()

    assert reading.problems == ("line 2 fails its signature: it was edited or forged",)
    assert subjects[1] not in reading.subject_ids


def test_a_line_forged_without_the_master_key_is_refused(settings):
    _append_three()
    settings_key = settings.LUMEIRE_MASTER_KEY
    settings.LUMEIRE_MASTER_KEY = random_master_key()
    journal_append(subject_id=uuid.uuid4(), data_key_id=uuid.uuid4())  # signed by another key
    settings.LUMEIRE_MASTER_KEY = settings_key

    reading = read_journal()

    assert len(reading.records) == 3
    assert len(reading.problems) == 1
    assert "line 4 is signed by master key mk-" in reading.problems[0]


def test_a_removed_line_breaks_the_chain():
    _append_three()
    lines = _lines()
    del lines[1]
    _write(lines)

    problems = read_journal().problems

    assert problems == ("line 2 does not follow line 1: lines were removed or moved",)


def test_moved_lines_break_the_chain():
    _append_three()
    lines = _lines()
    lines[1], lines[2] = lines[2], lines[1]
    _write(lines)

    assert len(read_journal().problems) == 2


def test_a_line_that_is_not_a_record_is_reported():
    _append_three()
    with journal_path().open("a") as journal:
        journal.write("not json\n")

    assert read_journal().problems == ("line 4 is not a journal record",)


def test_a_torn_last_line_from_a_crash_is_cut_before_the_next_record():
    _append_three()
    with journal_path().open("a") as journal:
        journal.write('{"seq": 4, "at": "2026-')  # the process died mid-write

    journal_append(subject_id=uuid.uuid4(), data_key_id=uuid.uuid4())

    reading = read_journal()
    assert reading.problems == ()
    assert [record.seq for record in reading.records] == [1, 2, 3, 4]


def test_reseal_moves_the_journal_to_the_current_master_so_the_old_one_can_go(settings):
    old_key = settings.LUMEIRE_MASTER_KEY
    subjects = _append_three()
    new_key = random_master_key()
    settings.LUMEIRE_MASTER_KEY = new_key
    settings.LUMEIRE_MASTER_KEYS_RETIRED = [old_key]

    assert journal_reseal() == 3

    settings.LUMEIRE_MASTER_KEYS_RETIRED = []
    reading = read_journal()
    assert reading.problems == ()
    assert [record.subject_id for record in reading.records] == subjects
    assert stat.S_IMODE(os.stat(journal_path()).st_mode) == 0o600


def test_reseal_refuses_a_tampered_journal():
    _append_three()
    lines = _lines()
    lines[0]["key"] = str(uuid.uuid4())
    _write(lines)
    before = journal_path().read_bytes()

    with pytest.raises(VaultConfigurationError):
        journal_reseal()

    assert journal_path().read_bytes() == before
