"""Encrypted fields: transparent to code that holds a row, opaque and tamper-evident at rest."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from hypothesis import given
from hypothesis import strategies as st

from lumeire.vault.errors import VaultError, VaultIntegrityError
from lumeire.vault.fields import Sealed
from lumeire.vault.keycache import data_key_cache
from lumeire.vault.tests.helpers import raw_column, write_raw_column
from lumeire.vault.tests.sample.models import SampleNote, SamplePerson

PERSON_TABLE = SamplePerson._meta.db_table


def reload(person: SamplePerson) -> SamplePerson:
    data_key_cache.clear()
    return SamplePerson.objects.get(pk=person.pk)


@pytest.mark.django_db
@given(text=st.text())
def test_any_text_reads_back_exactly_after_a_round_trip_through_the_database(make_person, text):
    person = make_person(full_name=text)
    assert reload(person).full_name == text


@pytest.mark.django_db
@pytest.mark.parametrize("text", ["", "عائشة الحربي", "Zoë 🛍️ O'Brien", "a" * 5000])
def test_arabic_empty_emoji_and_long_text_round_trip(make_person, text):
    assert reload(make_person(full_name=text)).full_name == text


@pytest.mark.django_db
@given(day=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_any_date_reads_back_exactly(make_person, day):
    assert reload(make_person(birth_date=day)).birth_date == day


@pytest.mark.django_db
def test_empty_value_is_stored_as_null_not_as_ciphertext(make_person):
    person = make_person(birth_date=None)
    assert raw_column(PERSON_TABLE, "birth_date", person.pk) is None
    assert reload(person).birth_date is None


@pytest.mark.django_db
@given(data=st.data())
def test_a_flipped_bit_anywhere_in_a_stored_value_fails_to_decrypt(make_person, data):
    person = make_person(full_name="Aisha Al-Harbi")
    stored = raw_column(PERSON_TABLE, "full_name", person.pk)
    bit = data.draw(st.integers(min_value=0, max_value=len(stored) * 8 - 1))
    tampered = bytearray(stored)
    tampered[bit // 8] ^= 1 << (bit % 8)
    write_raw_column(PERSON_TABLE, "full_name", person.pk, bytes(tampered))
    with pytest.raises(VaultIntegrityError):
        _ = reload(person).full_name


@pytest.mark.django_db
def test_a_truncated_value_fails_clearly(make_person):
    person = make_person()
    stored = raw_column(PERSON_TABLE, "full_name", person.pk)
    write_raw_column(PERSON_TABLE, "full_name", person.pk, stored[:20])
    with pytest.raises(VaultIntegrityError, match="unknown format or was truncated"):
        _ = reload(person).full_name


@pytest.mark.django_db
@given(text=st.text(min_size=1))
def test_a_value_moved_to_another_row_fails_to_decrypt(make_person, text):
    source, target = make_person(full_name=text), make_person(full_name="someone else")
    stored = raw_column(PERSON_TABLE, "full_name", source.pk)
    write_raw_column(PERSON_TABLE, "full_name", target.pk, stored)
    with pytest.raises(VaultIntegrityError):
        _ = reload(target).full_name


@pytest.mark.django_db
@given(text=st.text(min_size=1))
def test_a_value_moved_to_another_column_of_the_same_row_fails_to_decrypt(make_person, text):
    person = make_person(full_name=text)
    stored = raw_column(PERSON_TABLE, "full_name", person.pk)
    write_raw_column(PERSON_TABLE, "email", person.pk, stored)
    with pytest.raises(VaultIntegrityError, match="failed authentication"):
        _ = reload(person).email


@pytest.mark.django_db
def test_a_value_moved_between_rows_sharing_one_subject_key_fails(make_person):
    person = make_person()
    first = SampleNote.objects.create(person=person, body="first")
    second = SampleNote.objects.create(person=person, body="second")
    table = SampleNote._meta.db_table
    write_raw_column(table, "body", second.pk, raw_column(table, "body", first.pk))
    data_key_cache.clear()
    with pytest.raises(VaultIntegrityError):
        _ = SampleNote.objects.get(pk=second.pk).body


@pytest.mark.django_db
def test_unchanged_values_keep_their_ciphertext_and_changed_ones_are_resealed(make_person):
    person = reload(make_person(full_name="Before"))
    before_name = raw_column(PERSON_TABLE, "full_name", person.pk)
    before_email = raw_column(PERSON_TABLE, "email", person.pk)
    assert person.full_name == "Before"
    person.full_name = "After"
    person.save()
    assert raw_column(PERSON_TABLE, "full_name", person.pk) != before_name
    assert raw_column(PERSON_TABLE, "email", person.pk) == before_email
    assert reload(person).full_name == "After"


@pytest.mark.django_db
def test_queryset_update_with_a_clear_value_is_refused_and_changes_nothing(make_person):
    person = make_person(full_name="Kept")
    with pytest.raises(VaultError, match="cannot be written by update"), transaction.atomic():
        SamplePerson.objects.filter(pk=person.pk).update(full_name="Leaked in clear")
    assert reload(person).full_name == "Kept"


@pytest.mark.django_db
def test_filtering_on_an_encrypted_column_is_refused(make_person):
    make_person(full_name="Kept")
    with pytest.raises(VaultError), transaction.atomic():
        list(SamplePerson.objects.filter(full_name="Kept"))


@pytest.mark.django_db
def test_values_list_returns_sealed_values_never_clear_text(make_person):
    person = make_person(full_name="Hidden Name")
    (value,) = SamplePerson.objects.filter(pk=person.pk).values_list("full_name", flat=True)
    assert isinstance(value, Sealed)
    assert "Hidden" not in repr(value)


@pytest.mark.django_db
def test_deferred_encrypted_field_loads_and_decrypts_on_access(make_person):
    person = make_person(full_name="Deferred")
    data_key_cache.clear()
    assert SamplePerson.objects.only("id").get(pk=person.pk).full_name == "Deferred"


@pytest.mark.django_db
def test_owned_record_is_sealed_with_its_owners_data_key(make_person):
    person = make_person()
    note = SampleNote.objects.create(person=person, body="prefers evening delivery")
    data_key_cache.clear()
    assert SampleNote.objects.get(pk=note.pk).body == "prefers evening delivery"


@pytest.mark.django_db
def test_a_date_field_refuses_text(make_person):
    with pytest.raises(VaultError, match="holds a date"):
        make_person(birth_date="1990-01-01")
