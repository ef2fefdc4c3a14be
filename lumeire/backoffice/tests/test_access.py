"""Who may enter the back office, and who sees the catalogue there."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client

from lumeire.accounts.tests.factories import make_customer
from lumeire.backoffice.services import CATALOGUE_MANAGER
from lumeire.backoffice.tests.factories import BACKEND, signed_in
from lumeire.catalog.models import Category, Product
from lumeire.catalog.tests.factories import make_category, make_product

pytestmark = pytest.mark.django_db

LOGIN = "/backoffice/login/"


@pytest.fixture
def product() -> Product:
    return make_product(category=make_category(), name_en="Oud Noir Reserve", price="80.00")


def _catalogue_urls(product: Product) -> list[str]:
    category = product.category_id
    variant = product.variants.get().pk
    return [
        "/backoffice/",
        "/backoffice/catalog/",
        "/backoffice/catalog/category/",
        "/backoffice/catalog/category/add/",
        f"/backoffice/catalog/category/{category}/change/",
        f"/backoffice/catalog/category/{category}/delete/",
        "/backoffice/catalog/product/",
        "/backoffice/catalog/product/add/",
        f"/backoffice/catalog/product/{product.pk}/change/",
        f"/backoffice/catalog/product/{product.pk}/delete/",
        f"/backoffice/catalog/product/{product.pk}/history/",
        "/backoffice/catalog/variant/",
        f"/backoffice/catalog/variant/{variant}/change/",
    ]


def test_anonymous_visitor_is_sent_to_the_sign_in_page(product):
    client = Client()
    for url in _catalogue_urls(product):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == f"{LOGIN}?next={url}"


def test_customer_never_reaches_the_back_office(product):
    customer = make_customer()
    client = Client()
    client.force_login(customer, backend=BACKEND)
    for url in _catalogue_urls(product):
        response = client.get(url)
        assert response.status_code in (302, 403), url
        if response.status_code == 302:
            assert response["Location"].startswith(LOGIN), url
        assert b"Oud Noir Reserve" not in response.content


def test_customer_posting_the_add_form_creates_nothing(product):
    customer = make_customer()
    client = Client()
    client.force_login(customer, backend=BACKEND)
    response = client.post(
        "/backoffice/catalog/category/add/",
        {"slug": "sneaky", "name_en": "Sneaky", "name_ar": "خفي", "position": "0"},
    )
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert not Category.objects.filter(slug="sneaky").exists()


def test_customer_never_becomes_staff_by_a_flag_or_a_group(product):
    customer = make_customer()
    customer.is_superuser = True
    customer.save(update_fields=["is_superuser"])
    customer.groups.add(Group.objects.get(name=CATALOGUE_MANAGER))
    client = Client()
    client.force_login(customer, backend=BACKEND)
    for url in _catalogue_urls(product):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(LOGIN), url


def test_customer_signed_in_sees_only_the_sign_in_page_at_the_door():
    customer = make_customer()
    client = Client()
    client.force_login(customer, backend=BACKEND)
    response = client.get(LOGIN)
    assert response.status_code == 200
    assert b"not authorized to access this page" in response.content
    assert b'id="login-form"' in response.content


def test_staff_without_catalogue_permission_gets_403_and_no_catalogue(
    staff_without_groups, product
):
    client = signed_in(staff_without_groups)
    index = client.get("/backoffice/")
    assert index.status_code == 200
    assert b"/backoffice/catalog/" not in index.content
    for url in _catalogue_urls(product)[2:]:
        if url.endswith("/delete/") or url.endswith("/history/"):
            continue
        assert client.get(url).status_code == 403, url
    assert client.get("/backoffice/catalog/").status_code == 404
    response = client.post(
        "/backoffice/catalog/category/add/",
        {"slug": "sneaky", "name_en": "Sneaky", "name_ar": "خفي", "position": "0"},
    )
    assert response.status_code == 403
    assert not Category.objects.filter(slug="sneaky").exists()


@pytest.mark.parametrize(
    ("language", "heading", "home", "header"),
    [
        ("en", "You may not open this page", "Back office home", "Lumeire back office"),
        ("ar", "لا يمكنك فتح هذه الصفحة", "الصفحة الرئيسية للوحة الإدارة", "لوحة إدارة لوميير"),
    ],
)
def test_a_refused_page_has_the_back_office_layout_and_a_way_home(
    staff_without_groups, language, heading, home, header
):
    client = signed_in(staff_without_groups)

    response = client.get("/backoffice/catalog/category/add/", HTTP_ACCEPT_LANGUAGE=language)

    html = response.content.decode()
    assert response.status_code == 403
    assert '<div id="site-name">' in html and header in html  # the back office's own header
    assert "backoffice/backoffice.css" in html
    assert f"<h1>{heading}</h1>" in html
    assert f'<a href="/backoffice/">{home}</a>' in html
    assert 'id="logout-form"' in html
    assert "no-store" in response["Cache-Control"] or "private" in response["Cache-Control"]


def test_a_refused_page_outside_the_back_office_is_not_the_back_offices(rf):
    from django.core.exceptions import PermissionDenied

    from lumeire.backoffice.views_errors import permission_denied

    response = permission_denied(rf.get("/en/anything/"), PermissionDenied())

    assert response.status_code == 403
    assert b"backoffice" not in response.content


def test_catalogue_manager_sees_the_catalogue_on_the_index(manager_client):
    index = manager_client.get("/backoffice/")
    assert index.status_code == 200
    for model in ("category", "product", "variant"):
        assert f"/backoffice/catalog/{model}/".encode() in index.content
    assert b"Lumeire back office" in index.content


def test_inactive_staff_member_is_turned_away(catalogue_manager):
    catalogue_manager.is_active = False
    catalogue_manager.save(update_fields=["is_active"])
    client = Client()
    client.force_login(catalogue_manager, backend=BACKEND)
    response = client.get("/backoffice/catalog/product/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_password_change_pages_are_not_part_of_the_back_office(manager_client):
    response = manager_client.get("/backoffice/password_change/")
    assert response.status_code == 404
    assert b"password_change" not in manager_client.get("/backoffice/").content


def _catalogue_codenames(group: Group) -> set[str]:
    return set(
        group.permissions.filter(content_type__app_label="catalog").values_list(
            "codename", flat=True
        )
    )


# The group's migration predates search synonyms; the staff access model grants them too.
MIGRATED_CODENAMES = {
    f"{action}_{model}"
    for action in ("add", "change", "delete", "view")
    for model in ("category", "product", "variant", "productimage")
}
EXPECTED_CODENAMES = MIGRATED_CODENAMES | {
    f"{action}_searchsynonym" for action in ("add", "change", "delete", "view")
}
# Banners on the home page are the catalogue manager's too.
EXPECTED_BANNER_PERMISSIONS = {
    f"merchandising.{action}_banner" for action in ("add", "change", "delete", "view")
}


def test_the_catalogue_manager_role_grants_every_catalogue_permission_and_its_group_none(
    catalogue_manager,
):
    group = Group.objects.get(name=CATALOGUE_MANAGER)
    assert group.permissions.count() == 0  # the staff access model decides, not the group
    assert (
        catalogue_manager.get_all_permissions()
        == {f"catalog.{codename}" for codename in EXPECTED_CODENAMES} | EXPECTED_BANNER_PERMISSIONS
    )


def test_catalogue_manager_migration_reverses_and_reapplies():
    migration = __import__(
        "lumeire.backoffice.migrations.0001_catalogue_manager_group", fromlist=["create_group"]
    )
    editor = SimpleNamespace(connection=connection)
    migration.remove_group(apps, editor)
    assert not Group.objects.filter(name=CATALOGUE_MANAGER).exists()
    migration.create_group(apps, editor)
    migration.create_group(apps, editor)  # twice: still one group
    assert _catalogue_codenames(Group.objects.get(name=CATALOGUE_MANAGER)) == MIGRATED_CODENAMES
    assert apps.get_app_config("catalog").models_module is not True
