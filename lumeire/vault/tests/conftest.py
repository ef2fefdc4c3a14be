"""Fixtures for the vault tests: fresh keys and an empty key cache for every test."""

from __future__ import annotations

import base64
import os
import uuid
from collections.abc import Callable

import pytest

from lumeire.vault.keycache import data_key_cache
from lumeire.vault.tests.sample.models import SamplePerson


def random_master_key() -> str:
    return base64.b64encode(os.urandom(32)).decode("ascii")


@pytest.fixture(autouse=True)
def _empty_key_cache():
    data_key_cache.clear()
    yield
    data_key_cache.clear()


@pytest.fixture
def make_person(db) -> Callable[..., SamplePerson]:
    def make(**values: object) -> SamplePerson:
        values.setdefault("full_name", "Aisha Al-Harbi")
        values.setdefault("email", f"{uuid.uuid4().hex}@example.com")
        return SamplePerson.objects.create(**values)

    return make
