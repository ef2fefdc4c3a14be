"""The order role groups: what each holds, how staff join them, and the migration's way back."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.db import connection

from lumeire.accounts.tests.factories import make_customer
from lumeire.backoffice.services import CATALOGUE_MANAGER
from lumeire.backoffice.staff_roles import (
    CUSTOMER_SERVICE,
    FULFILMENT,
    OWNER,
    may_reveal,
    role_moves,
    staff_roles,
)
from lumeire.backoffice.tests.factories import make_staff
from lumeire.orders.models import Order, OrderStatus
from lumeire.staff.roles import Role

pytestmark = pytest.mark.django_db

CATALOGUE = {
    f"{app}.{action}_{model}"
    for action in ("add", "change", "delete", "view")
    for app, model in (
        ("catalog", "category"),
        ("catalog", "product"),
        ("catalog", "variant"),
        ("catalog", "productimage"),
        ("catalog", "searchsynonym"),
        ("merchandising", "banner"),
    )
}
# What each order role may open, from the staff access model (the groups hold nothing).
EXPECTED = {
    FULFILMENT: {"orders.view_order"},
    CUSTOMER_SERVICE: {"orders.view_order", "accounts.view_customer"},
    OWNER: {
        "orders.view_order",
        "accounts.view_customer",
        "audit.view_auditentry",
        *(f"checkout.{action}_shippingmethod" for action in ("add", "change", "view")),
        *CATALOGUE,
    },
}


def _group_permissions(name: str) -> set[str]:
    return {
        f"{app}.{codename}"
        for app, codename in Group.objects.get(name=name).permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


def test_each_order_role_opens_exactly_its_pages_and_its_group_holds_nothing():
    for name, expected in EXPECTED.items():
        member = make_staff(groups=[name])
        assert member.get_all_permissions() == expected, name
        assert _group_permissions(name) == set(), name


def test_a_permission_put_on_a_group_or_an_account_by_hand_opens_nothing():
    packer = make_staff(groups=[FULFILMENT])
    refund = Permission.objects.get(content_type__app_label="orders", codename="refund_order")
    delete = Permission.objects.get(content_type__app_label="catalog", codename="delete_product")
    Group.objects.get(name=FULFILMENT).permissions.add(refund)
    packer.user_permissions.add(delete)
    packer = type(packer).objects.get(pk=packer.pk)
    assert not packer.has_perm("orders.refund_order")
    assert not packer.has_perm("catalog.delete_product")
    assert not packer.has_module_perms("catalog")
    assert packer.has_perm("orders.view_order") and packer.has_module_perms("orders")


def test_the_group_names_are_the_staff_role_labels():
    assert {FULFILMENT, CUSTOMER_SERVICE, OWNER} == {
        str(Role.FULFILMENT.label),
        str(Role.CUSTOMER_SERVICE.label),
        str(Role.OWNER.label),
    }


def test_staff_join_the_order_groups_and_get_their_roles_and_moves():
    packer = make_staff(groups=[FULFILMENT, CATALOGUE_MANAGER])
    assert staff_roles(packer) == {Role.FULFILMENT, Role.CATALOGUE_MANAGER}
    assert role_moves(packer) == {OrderStatus.PACKED, OrderStatus.SHIPPED, OrderStatus.DELIVERED}
    assert packer.has_perm("catalog.change_product") and not packer.has_perm("orders.refund_order")
    # Fulfilment sees addresses on the page of its work only, never through a reveal.
    assert not may_reveal(packer, Order, "full_name") and not may_reveal(
        packer, Order, "card_last4"
    )
    owner = make_staff(groups=[OWNER])
    assert role_moves(owner) == set(OrderStatus) - {OrderStatus.PENDING_PAYMENT}
    assert may_reveal(owner, Order, "phone") and may_reveal(owner, Order, "card_last4")


def test_a_customer_has_no_role_whatever_its_groups():
    customer = make_customer()
    customer.groups.add(Group.objects.get(name=OWNER))
    assert staff_roles(customer) == frozenset()
    assert role_moves(customer) == frozenset()
    assert not may_reveal(customer, Order, "full_name")


def test_the_order_roles_migration_reverses_and_reapplies():
    migration = __import__(
        "lumeire.backoffice.migrations.0002_order_roles", fromlist=["create_groups"]
    )
    member = make_staff(groups=[FULFILMENT])
    editor = SimpleNamespace(connection=connection)
    migration.remove_groups(apps, editor)
    assert not Group.objects.filter(name__in=[FULFILMENT, CUSTOMER_SERVICE, OWNER]).exists()
    assert Group.objects.filter(name=CATALOGUE_MANAGER).exists()
    assert not member.groups.exists()
    migration.create_groups(apps, editor)
    migration.create_groups(apps, editor)  # twice: still one group each
    for name in EXPECTED:
        assert Group.objects.filter(name=name).count() == 1
    for label in ("catalog", "orders", "checkout"):
        assert apps.get_app_config(label).models_module is not True
