"""The seven role groups exist, hold no Django permission (the access model decides), reverse."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.db import connection

from lumeire.staff.access import GROUP_OF_ROLE
from lumeire.staff.roles import Role

pytestmark = pytest.mark.django_db

migration = importlib.import_module("lumeire.backoffice.migrations.0003_remaining_roles")
NEW = ["Compliance officer", "Legal counsel", "Analyst"]


def _codenames(name: str) -> set[str]:
    group = Group.objects.get(name=name)
    return {
        f"{app}.{codename}"
        for app, codename in group.permissions.values_list("content_type__app_label", "codename")
    }


def test_every_role_has_its_group():
    assert set(Group.objects.values_list("name", flat=True)) >= set(GROUP_OF_ROLE.values())
    assert set(GROUP_OF_ROLE) == set(Role)


def test_no_role_group_holds_a_django_permission():
    """The staff access model is the only source: the groups are names of roles."""
    for group in GROUP_OF_ROLE.values():
        assert _codenames(group) == set(), group


def test_the_migration_reverses_and_reapplies_without_touching_other_groups():
    editor = SimpleNamespace(connection=connection)
    before = set(Group.objects.values_list("name", flat=True))
    migration.remove_groups(apps, editor)
    assert set(Group.objects.values_list("name", flat=True)) == before - set(NEW)
    migration.create_groups(apps, editor)
    migration.create_groups(apps, editor)  # twice: still one of each
    assert set(Group.objects.values_list("name", flat=True)) == before
    assert Group.objects.filter(name__in=NEW).count() == 3
    assert _codenames("Compliance officer") == {"orders.view_order"}


def test_the_audit_log_names_each_role_group_by_its_role_value():
    """The staff app tells the audit log how to read roles; every role group reads as its role."""
    from lumeire.audit.services import audit_record
    from lumeire.audit.tests.conftest import make_user

    for role, group in GROUP_OF_ROLE.items():
        entry = audit_record(actor=make_user(groups=(group,)), action="audit_viewed")
        assert entry.actor_roles == role.value


def test_clearing_the_groups_permissions_reverses_to_what_the_earlier_migrations_gave():
    cleared = importlib.import_module(
        "lumeire.backoffice.migrations.0004_roles_hold_no_permissions"
    )
    editor = SimpleNamespace(connection=connection)
    cleared.restore_permissions(apps, editor)
    assert _codenames("Compliance officer") == {"orders.view_order"}
    assert "orders.refund_order" in _codenames("Customer service")
    assert len(_codenames("Catalogue manager")) == 16
    cleared.clear_permissions(apps, editor)
    for group in GROUP_OF_ROLE.values():
        assert _codenames(group) == set(), group
