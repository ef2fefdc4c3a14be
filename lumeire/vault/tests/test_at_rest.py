"""What a copy of the database holds: ciphertext and keyed hashes, never a clear value."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction

from lumeire.vault.blind_index import blind_index
from lumeire.vault.models import DataKey
from lumeire.vault.tests.helpers import raw_rows
from lumeire.vault.tests.sample.models import SampleNote, SamplePerson

CLEAR_VALUES = ["Aisha Al-Harbi", "عائشة الحربي", "aisha@example.com", "1990-05-17", "1058529940"]


def _as_text(value: object) -> str:
    if isinstance(value, bytes | memoryview):
        return bytes(value).decode("latin-1")
    return str(value)


@pytest.mark.django_db
def test_a_raw_sql_read_finds_none_of_the_clear_values():
    person = SamplePerson.objects.create(
        full_name="Aisha Al-Harbi عائشة الحربي",
        email="aisha@example.com",
        birth_date=dt.date(1990, 5, 17),
    )
    SampleNote.objects.create(person=person, body="ID 1058529940")
    dump = " ".join(
        _as_text(value)
        for table in (SamplePerson._meta.db_table, SampleNote._meta.db_table)
        for row in raw_rows(table)
        for value in row
    )
    dump_utf8 = " ".join(
        bytes(value).decode("utf-8", "replace") if isinstance(value, bytes | memoryview) else ""
        for table in (SamplePerson._meta.db_table, SampleNote._meta.db_table)
        for row in raw_rows(table)
        for value in row
    )
    for clear in CLEAR_VALUES:
        assert clear not in dump
        assert clear not in dump_utf8
        assert clear.lower() not in dump.lower()


@pytest.mark.django_db
def test_the_keystore_holds_no_clear_data_key():
    SamplePerson.objects.create(full_name="x", email="keystore@example.com")
    (row,) = DataKey.objects.all()
    assert len(bytes(row.wrapped_key)) == 1 + 12 + 32 + 16  # version, nonce, key, tag


@pytest.mark.django_db
def test_dumpdata_carries_ciphertext_not_clear_values():
    SamplePerson.objects.create(full_name="Dumped Name", email="dumped@example.com")
    out = io.StringIO()
    call_command("dumpdata", "vault_sample.sampleperson", stdout=out)
    assert "Dumped Name" not in out.getvalue()
    assert "dumped@example.com" not in out.getvalue()
    assert json.loads(out.getvalue())[0]["fields"]["full_name"]


@pytest.mark.django_db
def test_blind_index_finds_a_customer_by_email_without_case_or_spaces():
    person = SamplePerson.objects.create(full_name="x", email="Aisha@Example.com")
    lookup = blind_index("sample.email", "  aisha@EXAMPLE.com ", normalizer="email")
    assert SamplePerson.objects.get(email_index=lookup) == person


@pytest.mark.django_db
def test_blind_index_enforces_uniqueness_without_storing_the_value():
    SamplePerson.objects.create(full_name="x", email="twin@example.com")
    with pytest.raises(IntegrityError), transaction.atomic():
        SamplePerson.objects.create(full_name="y", email="TWIN@example.com")


def test_blind_indexes_of_different_purposes_never_match():
    assert blind_index("customer.email", "a@example.com") != blind_index(
        "order.email", "a@example.com"
    )


def test_blind_index_depends_on_the_key(settings):
    first = blind_index("sample.email", "a@example.com")
    settings.LUMEIRE_BLIND_INDEX_KEY = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0NTY3ODk="
    assert blind_index("sample.email", "a@example.com") != first


def test_digits_normalizer_keeps_ascii_digits_only():
    assert blind_index("id", "1058-529 940", normalizer="digits") == blind_index(
        "id", "1058529940", normalizer="digits"
    )
