"""Customers in the back office: masked list and page, exact search through the blind indexes,
and roles that see no customers at all."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lumeire.accounts.models import Customer
from lumeire.accounts.selectors import customer_ids_matching
from lumeire.accounts.tests.factories import identity_number, make_customer
from lumeire.audit.models import AuditEntry
from lumeire.backoffice.masking import age_band
from lumeire.backoffice.tests.factories import make_staff, signed_in
from lumeire.checkout.tests.order_factories import place_order
from lumeire.staff.access import GROUP_OF_ROLE
from lumeire.staff.roles import Role

pytestmark = pytest.mark.django_db

CUSTOMERS = "/backoffice/accounts/customer/"
SEARCH = f"{CUSTOMERS}search/"
IDENTITY = identity_number(7788)
OTHER_IDENTITY = identity_number(7789)


def _staff(role: Role):
    return make_staff(groups=[GROUP_OF_ROLE[role]])


@pytest.fixture
def haya():
    return make_customer(
        username="haya.q",
        email="Haya.Qahtani@example.com",
        full_name="Haya Al-Qahtani",
        identity_number=IDENTITY,
        date_of_birth=date(1990, 5, 17),
    )


@pytest.fixture
def omar():
    return make_customer(
        username="omar.s",
        email="omar.saeed@example.net",
        full_name="Omar Saeed",
        identity_number=OTHER_IDENTITY,
    )


def _listed(client, **query: str) -> str:
    response = client.get(CUSTOMERS, query)
    assert response.status_code == 200
    return response.content.decode()


def _searched(client, term: str, status: int = 200) -> str:
    response = client.post(SEARCH, {"q": term})
    assert response.status_code == status
    assert "no-store" in response["Cache-Control"]
    return response.content.decode()


def _in_list(content: str, customer) -> bool:
    return f"{CUSTOMERS}{customer.pk}/change/" in content


CLEAR_VALUES = ("Haya", "Qahtani", "haya.q", "Haya.Qahtani@example.com", IDENTITY, "Omar", "omar.s")


def test_the_list_shows_only_masked_values(haya, omar):
    content = _listed(signed_in(_staff(Role.CUSTOMER_SERVICE)))
    assert _in_list(content, haya) and _in_list(content, omar)
    assert "H*** A***" in content and "H***@example.com" in content
    assert "O*** S***" in content and "o***@example.net" in content
    for clear in CLEAR_VALUES:
        assert clear not in content
    assert "1****" not in content  # identity numbers are not even masked in the list


def test_staff_accounts_are_not_customers(haya):
    staff = _staff(Role.OWNER)
    content = _listed(signed_in(staff))
    assert _in_list(content, haya)
    assert f"{CUSTOMERS}{staff.pk}/change/" not in content
    assert customer_ids_matching(staff.email) == set()


@pytest.mark.parametrize(
    "term",
    [
        "Haya.Qahtani@example.com",
        "  haya.qahtani@EXAMPLE.com ",
        "haya.q",
    ],
)
def test_search_finds_a_customer_by_an_exact_value_and_shows_it_masked(term, haya, omar):
    content = _searched(signed_in(_staff(Role.CUSTOMER_SERVICE)), term)
    assert _in_list(content, haya)
    assert not _in_list(content, omar)
    assert "H*** A***" in content
    for clear in CLEAR_VALUES:
        assert clear not in content


def test_search_finds_a_customer_by_the_exact_number_of_an_order(haya, omar):
    order = place_order(customer=haya)
    client = signed_in(_staff(Role.COMPLIANCE_OFFICER))
    content = _searched(client, order.number.lower())
    assert _in_list(content, haya) and not _in_list(content, omar)
    # Anything else is an email or a username, which the compliance officer may not see.
    partial = _searched(client, order.number[:8], status=403)
    assert not _in_list(partial, haya)
    assert "Your role cannot search by email or username" in partial


def test_a_role_that_may_not_see_emails_cannot_confirm_one_by_searching(haya):
    """An exact match on a masked value would confirm a guess: the search is refused alike
    for the right email and a wrong one."""
    client = signed_in(_staff(Role.COMPLIANCE_OFFICER))
    right = _searched(client, "Haya.Qahtani@example.com", status=403)
    wrong = _searched(client, "nobody@example.com", status=403)
    assert not _in_list(right, haya) and not _in_list(wrong, haya)


@pytest.mark.parametrize(
    "term", ["haya", "Haya Al-Qahtani", "example.com", "qahtani@example.com", IDENTITY[:6], "H***"]
)
def test_a_partial_value_or_a_name_matches_nothing(term, haya, omar):
    content = _searched(signed_in(_staff(Role.OWNER)), term)
    assert not _in_list(content, haya) and not _in_list(content, omar)
    assert "No customer has exactly this value." in content


def test_the_value_searched_for_never_goes_in_a_url(haya):
    client = signed_in(_staff(Role.OWNER))
    listed = _listed(client)
    assert f'method="post" action="{SEARCH}"' in listed
    assert 'name="q"' in listed and "searchbar" not in listed
    assert client.get(SEARCH, {"q": "haya.q"}).status_code == 405
    listed = client.get(CUSTOMERS, {"q": "haya.q"})  # the list's GET search is off
    assert listed.status_code == 400 and not _in_list(listed.content.decode(), haya)
    assert "Enter an exact value to search for." in _searched(client, "  ", status=400)


def test_search_reads_the_blind_indexes_never_the_encrypted_columns(haya, omar):
    with CaptureQueriesContext(connection) as queries:
        found = customer_ids_matching("Haya.Qahtani@example.com")
    assert found == {haya.pk}
    sql = " ".join(query["sql"] for query in queries.captured_queries).lower()
    assert "email_index" in sql
    assert '"email",' not in sql and '"full_name"' not in sql and '"identity_number"' not in sql
    assert "haya" not in sql


def test_the_customer_page_masks_every_value(haya):
    place_order(customer=haya)
    content = signed_in(_staff(Role.OWNER)).get(f"{CUSTOMERS}{haya.pk}/change/").content.decode()
    assert "H*** A***" in content  # name
    assert "h***" in content  # username
    assert "H***@example.com" in content
    assert "1*********" in content  # the first digit only, never the last three
    assert not re.search(r"[12]\*+\d", content)
    assert age_band(date(1990, 5, 17)) in content
    assert "+966 5** *** *67" in content
    for clear in (*CLEAR_VALUES, "+966501234567", "1990", "Aisha"):
        assert clear not in content
    order = haya.orders.get()
    assert order.number in content  # the customer's orders, by number, link to their pages
    assert f"/backoffice/orders/order/{order.pk}/change/" in content


def test_the_customer_page_offers_no_edit_and_records_nothing_on_view(haya):
    client = signed_in(_staff(Role.OWNER))
    page = client.get(f"{CUSTOMERS}{haya.pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert client.post(f"{CUSTOMERS}{haya.pk}/change/", {"full_name": "X"}).status_code == 405
    assert client.get(f"{CUSTOMERS}add/").status_code == 403
    assert client.post(f"{CUSTOMERS}{haya.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Customer.objects.get(pk=haya.pk).full_name == "Haya Al-Qahtani"
    assert AuditEntry.objects.filter(action__in=["reveal", "reveal_refused"]).count() == 0


def test_legal_counsel_views_customers_but_neither_searches_nor_reveals(haya):
    client = signed_in(_staff(Role.LEGAL_COUNSEL))
    listed = _listed(client)
    assert _in_list(listed, haya)
    assert 'name="q"' not in listed
    assert client.post(SEARCH, {"q": "haya.q"}).status_code == 403
    page = client.get(f"{CUSTOMERS}{haya.pk}/change/").content.decode()
    assert "H*** A***" in page and "reveal/?field=" not in page
    assert "/backoffice/orders/order/" not in page  # no orders permission: numbers only


@pytest.mark.parametrize("role", [Role.CATALOGUE_MANAGER, Role.ANALYST, Role.FULFILMENT])
def test_roles_without_customers_see_none_at_all(role, haya):
    client = signed_in(_staff(role))
    for url in (
        CUSTOMERS,
        f"{CUSTOMERS}?q=haya.q",
        SEARCH,
        f"{CUSTOMERS}{haya.pk}/change/",
        f"{CUSTOMERS}{haya.pk}/history/",
        f"{CUSTOMERS}{haya.pk}/reveal/?field=email",
    ):
        response = client.get(url)
        assert response.status_code == 403, url
        assert b"H***" not in response.content
    assert client.post(SEARCH, {"q": "haya.q"}).status_code == 403
    index = client.get("/backoffice/").content
    assert b"/backoffice/accounts/customer/" not in index
    assert client.get("/backoffice/accounts/").status_code in (403, 404)


def test_customer_roles_find_customers_in_the_menu(db):
    for role in (Role.OWNER, Role.CUSTOMER_SERVICE, Role.COMPLIANCE_OFFICER, Role.LEGAL_COUNSEL):
        index = signed_in(_staff(role)).get("/backoffice/").content
        assert b"/backoffice/accounts/customer/" in index, role


def test_a_customer_page_that_does_not_exist_is_404(db):
    client = signed_in(_staff(Role.OWNER))
    assert client.get(f"{CUSTOMERS}00000000-0000-0000-0000-000000000000/change/").status_code == 404
    assert client.get(f"{CUSTOMERS}not-an-id/change/").status_code == 404


def test_the_customer_pages_read_in_arabic(haya):
    client = signed_in(_staff(Role.CUSTOMER_SERVICE))
    page = client.get(f"{CUSTOMERS}{haya.pk}/change/", HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert 'dir="rtl"' in page
    assert "إظهار" in page  # Reveal
    form = client.get(
        f"{CUSTOMERS}{haya.pk}/reveal/", {"field": "email"}, HTTP_ACCEPT_LANGUAGE="ar"
    ).content.decode()
    assert "السبب" in form  # Reason
