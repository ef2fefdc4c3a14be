"""A row without a subject of its own kind is its own subject: an order placed without an
account is sealed under the order's own key, an account's order under the account's."""

from __future__ import annotations

import uuid
from types import SimpleNamespace

import pytest

from lumeire.vault.errors import VaultError
from lumeire.vault.fields import EncryptedTextField


def _field(**kwargs) -> EncryptedTextField:
    field = EncryptedTextField(**kwargs)
    field.set_attributes_from_name("street")
    return field


def test_the_subject_field_wins_when_it_names_someone():
    account, row = uuid.uuid4(), uuid.uuid4()
    field = _field(subject_field="customer_id", subject_fallback="pk")

    assert field.subject_of(SimpleNamespace(customer_id=account, pk=row)) == account


def test_the_fallback_names_the_subject_when_the_subject_field_is_empty():
    row = uuid.uuid4()
    field = _field(subject_field="customer_id", subject_fallback="pk")

    assert field.subject_of(SimpleNamespace(customer_id=None, pk=str(row))) == row


def test_without_a_fallback_an_empty_subject_is_refused():
    field = _field(subject_field="customer_id")

    with pytest.raises(VaultError):
        field.subject_of(SimpleNamespace(customer_id=None, pk=uuid.uuid4()))


def test_the_fallback_is_kept_in_migrations():
    _name, _path, _args, kwargs = _field(
        subject_field="customer_id", subject_fallback="pk"
    ).deconstruct()

    assert kwargs["subject_field"] == "customer_id"
    assert kwargs["subject_fallback"] == "pk"
    assert "subject_fallback" not in _field(subject_field="customer_id").deconstruct()[3]
