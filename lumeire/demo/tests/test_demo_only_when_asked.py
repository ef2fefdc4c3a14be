"""Demo data only when asked: migrations make reference rows (roles, delivery options, the
policy), never an account or a demo catalogue; only `manage.py load_demo` does.

A real `migrate` of an empty database, in a subprocess, is checked in
``lumeire/vault/tests/test_keycheck_startup.py``; this checks the suite's own migrated database.
"""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from lumeire.accounts.models import AccountKind, User
from lumeire.accounts.selectors import user_by_login
from lumeire.catalog.models import Category, Product

pytestmark = pytest.mark.django_db


def test_migrate_opens_no_account_and_loads_no_catalogue():
    call_command("migrate", verbosity=0, stdout=io.StringIO())

    assert not User.objects.exists()
    assert not Product.objects.exists()
    assert not Category.objects.exists()


def test_only_load_demo_opens_the_demo_staff(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    assert user_by_login("owner") is None

    call_command("load_demo", "--products", "12", stdout=io.StringIO(), stderr=io.StringIO())

    assert user_by_login("owner").kind == AccountKind.STAFF
