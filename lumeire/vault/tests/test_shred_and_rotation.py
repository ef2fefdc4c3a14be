"""Shredding makes a subject's data unreadable for good; rotation keeps everything readable."""

from __future__ import annotations

import datetime as dt
import io
import uuid

import pytest
from django.core.management import call_command
from hypothesis import given
from hypothesis import settings as examples
from hypothesis import strategies as st

from lumeire.vault.errors import UnknownMasterKeyError
from lumeire.vault.fields import ERASED, is_erased
from lumeire.vault.keycache import data_key_cache
from lumeire.vault.keyring import get_keyring, master_key_from_text
from lumeire.vault.models import DataKey
from lumeire.vault.services import SubjectErasedError, rotate_batch, shred
from lumeire.vault.tests.conftest import random_master_key
from lumeire.vault.tests.sample.models import SampleNote, SamplePerson


def fresh(person: SamplePerson) -> SamplePerson:
    data_key_cache.clear()
    return SamplePerson.objects.get(pk=person.pk)


@pytest.mark.django_db
@given(text=st.text())
def test_after_shred_every_value_of_the_subject_reads_as_erased(make_person, text):
    person = make_person(full_name=text, birth_date=dt.date(1990, 5, 17))
    note = SampleNote.objects.create(person=person, body=text)
    assert shred(person.pk) is True
    again = fresh(person)
    assert again.full_name is ERASED
    assert again.email is ERASED
    assert again.birth_date is ERASED
    assert SampleNote.objects.get(pk=note.pk).body is ERASED
    assert str(again.full_name) == "[erased]"
    assert not again.full_name


@pytest.mark.django_db
def test_shred_evicts_the_key_from_this_process_at_once(make_person):
    person = make_person(full_name="Cached Name")
    assert SamplePerson.objects.get(pk=person.pk).full_name == "Cached Name"  # key now cached
    shred(person.pk)
    assert SamplePerson.objects.get(pk=person.pk).full_name is ERASED


@pytest.mark.django_db
def test_shred_leaves_other_subjects_readable(make_person):
    erased, kept = make_person(full_name="Erase Me"), make_person(full_name="Keep Me")
    shred(erased.pk)
    assert fresh(kept).full_name == "Keep Me"
    assert is_erased(fresh(erased).full_name)


@pytest.mark.django_db
def test_shred_clears_blind_indexes_so_the_email_can_no_longer_be_matched(make_person):
    person = make_person(email="gone@example.com")
    index = SamplePerson._meta.get_field("email_index").index_of("gone@example.com")
    assert SamplePerson.objects.filter(email_index=index).exists()
    shred(person.pk)
    assert not SamplePerson.objects.filter(email_index=index).exists()


@pytest.mark.django_db
def test_shred_keeps_a_tombstone_and_destroys_the_wrapped_key(make_person):
    person = make_person()
    shred(person.pk)
    tombstone = DataKey.objects.get(subject_id=person.pk)
    assert tombstone.wrapped_key is None
    assert tombstone.shredded_at is not None
    assert shred(person.pk) is False  # nothing left to destroy


@pytest.mark.django_db
def test_an_erased_record_can_be_saved_again_without_losing_or_reviving_anything(make_person):
    person = make_person(full_name="Erase Me")
    shred(person.pk)
    again = fresh(person)
    again.nickname_plain = "anonymous"
    again.save()
    assert fresh(person).full_name is ERASED


@pytest.mark.django_db
def test_no_new_personal_data_can_be_written_for_an_erased_subject(make_person):
    person = make_person()
    shred(person.pk)
    again = fresh(person)
    again.full_name = "New Name"
    with pytest.raises(SubjectErasedError):
        again.save()


@pytest.mark.django_db
@given(texts=st.lists(st.text(), min_size=1, max_size=5))
@examples(max_examples=30)  # each example rotates twice; 30 already cover empty, long, odd text
def test_after_rotation_every_value_reads_and_the_old_master_key_can_be_removed(settings, texts):
    old_key, new_key = settings.LUMEIRE_MASTER_KEY, random_master_key()
    people = [
        SamplePerson.objects.create(full_name=text, email=f"{uuid.uuid4().hex}@example.com")
        for text in texts
    ]
    settings.LUMEIRE_MASTER_KEY, settings.LUMEIRE_MASTER_KEYS_RETIRED = new_key, [old_key]
    while rotate_batch(batch_size=2):
        pass
    new_id = master_key_from_text(new_key).key_id
    subjects = [p.pk for p in people]
    assert set(
        DataKey.objects.filter(subject_id__in=subjects).values_list("master_key_id", flat=True)
    ) == {new_id}
    settings.LUMEIRE_MASTER_KEYS_RETIRED = []
    for person, text in zip(people, texts, strict=True):
        assert fresh(person).full_name == text
    # Rotate back, so the next example starts from the suite's own master key.
    settings.LUMEIRE_MASTER_KEY, settings.LUMEIRE_MASTER_KEYS_RETIRED = old_key, [new_key]
    while rotate_batch():
        pass
    settings.LUMEIRE_MASTER_KEYS_RETIRED = []
    assert [fresh(person).full_name for person in people] == texts


@pytest.mark.django_db
def test_without_rotation_a_removed_master_key_is_a_clear_error(settings, make_person):
    person = make_person()
    settings.LUMEIRE_MASTER_KEY = random_master_key()
    with pytest.raises(UnknownMasterKeyError, match="LUMEIRE_MASTER_KEYS_RETIRED"):
        _ = fresh(person).full_name


@pytest.mark.django_db
def test_rotate_command_reports_how_many_keys_it_rewrapped_and_is_resumable(settings, make_person):
    for _ in range(5):
        make_person()
    old_key = settings.LUMEIRE_MASTER_KEY
    settings.LUMEIRE_MASTER_KEY, settings.LUMEIRE_MASTER_KEYS_RETIRED = (
        random_master_key(),
        [old_key],
    )
    assert rotate_batch(batch_size=2) == 2  # an "interrupted" run
    out = io.StringIO()
    call_command("vault_rotate", "--batch-size", "2", stdout=out, stderr=io.StringIO())
    assert (
        f"Re-wrapped 3 data keys under master key {get_keyring().current.key_id}; 0 left."
        in out.getvalue()
    )
    out = io.StringIO()
    call_command("vault_rotate", stdout=out, stderr=io.StringIO())
    assert "Re-wrapped 0 data keys" in out.getvalue()


@pytest.mark.django_db
def test_verify_command_counts_keys_and_values(make_person):
    make_person(birth_date=dt.date(1980, 1, 1))
    erased = make_person(birth_date=None)
    shred(erased.pk)
    out = io.StringIO()
    call_command("vault_verify", "--all", stdout=out)
    text = out.getvalue()
    assert "Data keys: 1 ok (0 still under a retired master key), 1 shredded, 0 failed" in text
    assert "Values (all): 3 ok, 2 erased, 1 empty, 0 failed" in text


@pytest.mark.django_db
def test_verify_command_fails_when_a_value_was_tampered_with(make_person):
    from lumeire.vault.tests.helpers import raw_column, write_raw_column

    person = make_person()
    table = SamplePerson._meta.db_table
    stored = bytearray(raw_column(table, "full_name", person.pk))
    stored[-1] ^= 1
    write_raw_column(table, "full_name", person.pk, bytes(stored))
    data_key_cache.clear()
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("vault_verify", "--all", stdout=out)
    assert exit_info.value.code == 1
    assert "1 failed" in out.getvalue()
