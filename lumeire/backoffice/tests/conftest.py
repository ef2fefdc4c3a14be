"""Back office test fixtures: staff opened by the real service, media in a temporary folder."""

from __future__ import annotations

import pytest
from django.test import Client

from lumeire.accounts.models import User
from lumeire.backoffice.services import CATALOGUE_MANAGER
from lumeire.backoffice.staff_roles import CUSTOMER_SERVICE, FULFILMENT, OWNER
from lumeire.backoffice.tests.factories import make_staff, signed_in, staff_client


@pytest.fixture(name="staff_client")
def _staff_client(db):
    """``staff_client(user)``: a browser signed in with password and a real one-time code."""
    return staff_client


@pytest.fixture(autouse=True)
def _media_in_a_temporary_folder(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def catalogue_manager(db) -> User:
    return make_staff(groups=[CATALOGUE_MANAGER])


@pytest.fixture
def staff_without_groups(db) -> User:
    return make_staff()


@pytest.fixture
def manager_client(catalogue_manager: User) -> Client:
    return signed_in(catalogue_manager)


@pytest.fixture
def fulfilment(db) -> User:
    return make_staff(groups=[FULFILMENT])


@pytest.fixture
def customer_service(db) -> User:
    return make_staff(groups=[CUSTOMER_SERVICE])


@pytest.fixture
def owner(db) -> User:
    return make_staff(groups=[OWNER])


@pytest.fixture
def officer(db) -> User:
    return make_staff(groups=["Compliance officer"])


@pytest.fixture
def counsel(db) -> User:
    return make_staff(groups=["Legal counsel"])
