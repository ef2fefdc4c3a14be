"""The access model is one truth: its names match the store's, the data inventory agrees with
it, Django's permission checks ask it, and the README's role table and the policy's paragraph
are generated from it."""

from __future__ import annotations

import io

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.models import Permission as DjangoPermission
from django.core.management import call_command

from lumeire.accounts.tests.factories import make_customer
from lumeire.orders.models import ADDRESS_FIELDS as ORDER_ADDRESS_FIELDS
from lumeire.orders.models import OrderStatus
from lumeire.privacy.policy import who_can_see
from lumeire.staff import access
from lumeire.staff.access import (
    CLEAR_GRANTS,
    GROUP_OF_ROLE,
    MODEL_PERMISSIONS,
    MOVES_OF_PERMISSION,
    ROLE_PERMISSIONS,
    Permission,
    Way,
    may_see,
    roles_seeing,
)
from lumeire.staff.describe import (
    ACT_LABELS,
    README_END,
    README_START,
    WAY_LABELS,
    roles_table,
    table_in_readme,
    who_may_see,
)
from lumeire.staff.roles import Role
from lumeire.staff.services import staff_create
from lumeire.vault.inventory import inventory

pytestmark = pytest.mark.django_db

README = settings.BASE_DIR / "README.md"


def _staff(*roles: Role, username: str = "model.staff"):
    return staff_create(
        username=username,
        email=f"{username}@example.com",
        password="amber lantern over a quiet harbour",
        groups=[GROUP_OF_ROLE[role] for role in roles],
    )


# --- The model's names are the store's ---------------------------------------------------------


def test_the_order_statuses_and_address_fields_named_here_are_the_orders_apps():
    assert tuple(OrderStatus.values) == access.ORDER_STATUSES
    assert tuple(ORDER_ADDRESS_FIELDS) == access.ADDRESS_FIELDS
    for statuses in MOVES_OF_PERMISSION.values():
        assert statuses <= set(OrderStatus.values)
    for grants in CLEAR_GRANTS.values():
        for grant in grants:
            assert grant.order_states is None or grant.order_states <= set(OrderStatus.values)


def test_every_field_a_grant_names_exists_and_is_declared_personal():
    declared = {(entry.model._meta.label, entry.field_name) for entry in inventory()}
    for grants in CLEAR_GRANTS.values():
        for grant in grants:
            for label, field in grant.values.fields:
                model = apps.get_model(label)
                model._meta.get_field(field)  # raises for a field that does not exist
                assert (label, field) in declared, (label, field)


def test_every_django_permission_the_model_opens_exists():
    existing = {
        f"{app}.{codename}"
        for app, codename in DjangoPermission.objects.values_list(
            "content_type__app_label", "codename"
        )
    }
    named = set().union(*MODEL_PERMISSIONS.values())
    assert named <= existing, named - existing


def test_every_role_act_and_way_has_words_for_the_table_and_the_policy():
    assert set(ROLE_PERMISSIONS) == set(Role) == set(CLEAR_GRANTS)
    assert set(ACT_LABELS) == set(Permission)
    assert set(WAY_LABELS) == set(Way)


# --- The data inventory agrees -----------------------------------------------------------------


def test_the_inventorys_reveal_roles_are_exactly_the_roles_the_access_model_lets_see_a_field():
    store = [entry for entry in inventory() if ".tests." not in entry.model.__module__]
    wrong = [
        f"{entry.label}: inventory {sorted(entry.declaration.reveal_roles)}, "
        f"access model {sorted(role.value for role in roles_seeing(entry.model, entry.field_name))}"
        for entry in store
        if set(entry.declaration.reveal_roles)
        != {role.value for role in roles_seeing(entry.model, entry.field_name)}
    ]
    assert wrong == [], "\n".join(wrong)


def test_a_saved_address_is_not_fulfilments_and_an_order_address_only_while_it_works_on_it():
    assert Role.FULFILMENT not in roles_seeing("checkout.Address", "street")
    packer = _staff(Role.FULFILMENT)
    waiting = type("Order", (), {"status": "paid"})()
    gone = type("Order", (), {"status": "shipped"})()
    assert may_see(packer, "orders.Order", "street", way=Way.AT_WORK, record=waiting)
    assert not may_see(packer, "orders.Order", "street", way=Way.AT_WORK, record=gone)
    assert not may_see(packer, "orders.Order", "street", way=Way.AT_WORK)  # no record: no
    assert not may_see(packer, "orders.Order", "street", way=Way.REVEAL, record=waiting)


# --- Django asks the model ---------------------------------------------------------------------


def test_has_perm_answers_from_the_roles_and_nothing_else():
    owner = _staff(Role.OWNER)
    assert owner.has_perm("catalog.delete_product") and owner.has_perm("orders.view_order")
    assert not owner.has_perm("orders.delete_order")  # an order is the record of a sale
    analyst = _staff(Role.ANALYST, username="model.analyst")
    analyst.user_permissions.add(DjangoPermission.objects.get(codename="view_order"))
    Group.objects.get(name="Analyst").permissions.add(
        DjangoPermission.objects.get(codename="change_product")
    )
    analyst = type(analyst).objects.get(pk=analyst.pk)
    # Put there by hand, they open nothing: the roles answer, and refuse for the others.
    assert not analyst.has_perm("orders.view_order")
    assert not analyst.has_perm("catalog.change_product")
    assert not analyst.has_module_perms("catalog") and not analyst.has_module_perms("orders")
    customer = make_customer()
    assert customer.get_all_permissions() == set() and not customer.has_module_perms("catalog")


def test_a_superuser_flag_opens_no_back_office_page_the_roles_do_not():
    from lumeire.backoffice.tests.factories import signed_in

    analyst = _staff(Role.ANALYST, username="model.root")
    type(analyst).objects.filter(pk=analyst.pk).update(is_superuser=True)
    client = signed_in(type(analyst).objects.get(pk=analyst.pk))
    for url in ("/backoffice/catalog/product/", "/backoffice/checkout/shippingmethod/add/"):
        assert client.get(url).status_code == 403, url


# --- One truth for the README and the policy ---------------------------------------------------


def test_the_readme_role_table_is_the_generated_one():
    found = table_in_readme(README.read_text(encoding="utf-8"))
    assert found is not None, f"README.md has no {README_START} … {README_END} markers"
    assert found == roles_table(), "run manage.py roles_table and paste it between the markers"


def test_the_readme_check_fails_without_markers_or_with_a_changed_row():
    table = roles_table()
    assert table_in_readme(table) is None
    edited = f"{README_START}\n{table.replace('Nothing, ever.', 'Everything.', 1)}{README_END}\n"
    assert table_in_readme(edited) != table
    assert table_in_readme(f"{README_START}\n{table}{README_END}\n") == table


def test_manage_roles_table_prints_the_generated_table():
    out = io.StringIO()
    call_command("roles_table", stdout=out)
    assert out.getvalue() == roles_table()
    assert out.getvalue().startswith("| role | may do | personal values in clear |\n")
    assert out.getvalue().count("\n") == 2 + len(Role)


def test_the_policy_paragraph_is_the_access_models_and_says_the_same_as_the_table():
    assert who_can_see() == who_may_see()
    table = roles_table()
    for role in Role:
        line = next(row for row in table.splitlines() if row.startswith(f"| {role.label} |"))
        policy = next(
            row for row in who_may_see().splitlines() if row.startswith(f"- {role.label}:")
        )
        clear = line.rsplit(" | ", 1)[1].removesuffix(" |")
        if clear.startswith("Nothing"):
            assert "never in clear" in policy or "no personal information" in policy
        else:
            assert policy == f"- {role.label}: {clear}"


def test_legal_counsel_is_said_to_reveal_nothing_in_the_policy_and_the_table():
    policy = next(row for row in who_may_see().splitlines() if row.startswith("- Legal counsel:"))
    assert "Reveals" not in policy and "reveal" not in policy.lower().split(":", 1)[1]
    assert all(Way.REVEAL not in grant.ways for grant in CLEAR_GRANTS[Role.LEGAL_COUNSEL])
