"""List pages take only their own filters, search and sort columns: a lookup on a column the page
never shows (``?recovery_answer_hash__startswith=``, ``?card_token__regex=``) is refused with a
400 before any query, so a right guess and a wrong one answer alike."""

from __future__ import annotations

import pytest
from django.contrib.admin.views.main import ORDER_VAR, SEARCH_VAR
from django.test import RequestFactory

from lumeire.accounts.models import Customer
from lumeire.accounts.tests.factories import make_customer
from lumeire.backoffice.filters import filter_parameters, unknown_list_parameters
from lumeire.backoffice.pages import StaffPageMixin
from lumeire.backoffice.sites import backoffice_site
from lumeire.backoffice.tests.factories import make_staff, signed_in
from lumeire.checkout.tests.order_factories import place_order
from lumeire.orders.models import Order
from lumeire.staff.access import GROUP_OF_ROLE
from lumeire.staff.roles import Role
from lumeire.vault.fields import BlindIndexField, EncryptedFieldMixin
from lumeire.vault.inventory import declarations_of

pytestmark = pytest.mark.django_db

CUSTOMERS = "/backoffice/accounts/customer/"
ORDERS = "/backoffice/orders/order/"
AUDIT = "/backoffice/audit/auditentry/"
PRODUCTS = "/backoffice/catalog/product/"


def _client(role: Role):
    return signed_in(make_staff(groups=[GROUP_OF_ROLE[role]]))


def _answers_alike(client, url: str, name: str, right: str, wrong: str) -> bytes:
    """A right guess and a wrong one are refused the same way (400, the parameter named, no
    row); the body of the right one, for more checks."""
    first, second = client.get(url, {name: right}), client.get(url, {name: wrong})
    assert (first.status_code, second.status_code) == (400, 400), name
    for response in (first, second):
        assert name.encode() in response.content
        assert b'id="result_list"' not in response.content
    return first.content


def test_legal_counsel_cannot_read_a_recovery_answer_hash_through_the_customer_list(db):
    customer = make_customer()
    stored = Customer.objects.get(pk=customer.pk).recovery_answer_hash
    assert stored.startswith("argon2")
    client = _client(Role.LEGAL_COUNSEL)
    for lookup in ("startswith", "regex", "gte", "lt", "contains", "exact"):
        name = f"recovery_answer_hash__{lookup}"
        body = _answers_alike(client, CUSTOMERS, name, stored[:12], "zzzz")
        assert b"A***" not in body and str(customer.pk).encode() not in body
    bare = client.get(CUSTOMERS, {"recovery_answer_hash": stored})
    assert bare.status_code == 400


def test_fulfilment_cannot_probe_card_tokens_or_any_unlisted_column_of_orders(db):
    order = place_order(payment="card")
    token = Order.objects.get(pk=order.pk).card_token
    assert token
    client = _client(Role.FULFILMENT)
    for name, value in (
        ("card_token__startswith", token[:6]),
        ("card_token__regex", "^" + token[:3]),
        ("card_token", token),
        ("card_last4__gte", "4000"),
        ("customer__email_index", "x"),
        ("customer__customer__identity_index__startswith", "a"),
        ("total__gte", "0"),
        ("payment_reference__contains", "a"),
    ):
        response = client.get(ORDERS, {name: value})
        assert response.status_code == 400, name
        assert order.number.encode() not in response.content, name


def test_the_export_takes_the_same_allowlist(db):
    order = place_order(payment="card")
    token = Order.objects.get(pk=order.pk).card_token
    client = _client(Role.OWNER)
    response = client.post(f"{ORDERS}export/?card_token__startswith={token[:5]}", {})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert order.number.encode() not in response.content


def test_sorting_only_by_the_columns_the_page_lists(db):
    place_order()
    client = _client(Role.OWNER)
    assert client.get(ORDERS, {ORDER_VAR: "1"}).status_code == 200
    assert client.get(ORDERS, {ORDER_VAR: "-2.1"}).status_code == 200
    for value in ("99", "x", "1.99", "-", "0.card_token"):
        assert client.get(ORDERS, {ORDER_VAR: value}).status_code == 400, value


def test_the_pages_own_filters_search_drill_down_and_paging_still_work(db):
    waiting = place_order()
    paid = place_order(payment="card")
    client = _client(Role.OWNER)
    listed = client.get(ORDERS, {"status__exact": "paid"})
    assert listed.status_code == 200
    assert paid.number.encode() in listed.content and waiting.number.encode() not in listed.content
    year = paid.placed_at.year
    assert client.get(ORDERS, {"placed_at__year": str(year), "p": "1"}).status_code == 200
    assert client.get(ORDERS, {SEARCH_VAR: paid.number}).status_code == 200
    assert client.get(ORDERS, {"payment_method__exact": "card", "_facets": "1"}).status_code == 200
    assert client.get(AUDIT, {"action__exact": "staff_sign_in"}).status_code == 200
    assert client.get(PRODUCTS, {"is_active__exact": "1", SEARCH_VAR: "lamp"}).status_code == 200


def test_a_list_without_a_search_refuses_one(db):
    response = _client(Role.CUSTOMER_SERVICE).get(CUSTOMERS, {SEARCH_VAR: "haya"})
    assert response.status_code == 400
    assert b"H***" not in response.content


def test_a_role_without_the_page_still_gets_403_whatever_it_asks(db):
    client = _client(Role.CATALOGUE_MANAGER)
    assert client.get(CUSTOMERS, {"recovery_answer_hash__startswith": "a"}).status_code == 403
    assert client.get(ORDERS, {"card_token__startswith": "a"}).status_code == 403


# --- Every page, by construction ---------------------------------------------------------------


def _secret_fields(model) -> set[str]:
    """Fields no list may filter, search or sort by: declared personal data, sealed values,
    blind indexes, and card or password material."""
    names = set(declarations_of(model))
    for field in model._meta.concrete_fields:
        if isinstance(field, EncryptedFieldMixin | BlindIndexField):
            names.add(field.name)
        if any(word in field.name for word in ("token", "password", "hash", "secret")):
            names.add(field.name)
    return names


def test_every_back_office_page_uses_the_allowlist_and_offers_no_secret_column():
    request = RequestFactory().get("/")
    request.user = make_staff(groups=[GROUP_OF_ROLE[Role.OWNER]])
    wrong = []
    for model, page in backoffice_site._registry.items():
        label = model._meta.label
        if not isinstance(page, StaffPageMixin):
            wrong.append(f"{label}: not a StaffPageMixin")
            continue
        secret = _secret_fields(model)
        for name in filter_parameters(page, request):
            if name.split("__")[0] in secret:
                wrong.append(f"{label}: filters by {name}")
        for term in page.get_search_fields(request):
            if term.lstrip("^=@").split("__")[0] in secret:
                wrong.append(f"{label}: searches {term}")
        for column in page.get_sortable_by(request):
            field = getattr(getattr(page, str(column), None), "admin_order_field", column)
            if str(field).lstrip("-").split("__")[0] in secret:
                wrong.append(f"{label}: sorts by {column}")
    assert wrong == [], "\n".join(wrong)


def test_unknown_parameters_are_named_and_known_ones_are_not():
    from lumeire.backoffice.orders_admin import OrderAdmin

    page = backoffice_site._registry[Order]
    assert isinstance(page, OrderAdmin)
    request = RequestFactory().get(ORDERS, {"status__exact": "paid", "card_token__gte": "a"})
    request.user = make_staff(groups=[GROUP_OF_ROLE[Role.OWNER]])
    assert unknown_list_parameters(page, request) == ["card_token__gte"]
