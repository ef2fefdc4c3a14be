"""CSV exports of orders: the filtered list, masked unless the role may reveal and gives a reason,
and every export recorded in the audit log."""

from __future__ import annotations

import csv
import io

import pytest

from lumeire.accounts.pseudonyms import client_ref
from lumeire.audit.models import AuditAction, AuditEntry
from lumeire.backoffice.exports import MAX_EXPORT_ROWS, safe_cell
from lumeire.backoffice.tests.factories import make_staff, signed_in
from lumeire.checkout.tests.order_factories import SHIPPING_NAME, STREET, place_order
from lumeire.orders.models import OrderStatus
from lumeire.orders.services import order_transition
from lumeire.privacy.selectors import access_log_of_customer
from lumeire.staff.access import GROUP_OF_ROLE
from lumeire.staff.models import ExportedCustomer
from lumeire.staff.roles import Role
from lumeire.staff.selectors import export_entries_of_subject

pytestmark = pytest.mark.django_db

ORDERS = "/backoffice/orders/order/"
EXPORT = f"{ORDERS}export/"
CLEAR_PHONE = "+966501234567"
REASON = "Carrier needs the list of today's parcels."
PERSONAL_COLUMNS = [
    "Name",
    "Phone",
    "City",
    "District",
    "Street",
    "Building",
    "Postal code",
    "Country",
    "Card",
]


def _staff(role: Role):
    return make_staff(groups=[GROUP_OF_ROLE[role]])


def _rows(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="orders-')
    assert "no-store" in response["Cache-Control"]
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def _exports() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=AuditAction.EXPORT).order_by("id"))


def test_an_export_is_masked_by_default_and_recorded(db):
    cash = place_order()
    card = place_order(payment="card")
    staff = _staff(Role.FULFILMENT)
    rows = _rows(signed_in(staff).post(EXPORT, {}))
    assert {row["Order number"] for row in rows} == {cash.number, card.number}
    assert list(rows[0])[-len(PERSONAL_COLUMNS) :] == PERSONAL_COLUMNS
    by_number = {row["Order number"]: row for row in rows}
    assert by_number[cash.number]["Name"] == "A*** A***"
    assert by_number[cash.number]["Phone"] == "'+966 5** *** *67"  # quoted: never a formula
    assert by_number[cash.number]["Street"] == "K*** F*** R***"
    assert by_number[cash.number]["Card"] == ""
    assert by_number[card.number]["Card"] == "Card ending in ****"
    assert by_number[card.number]["Status"] == "Paid"
    assert by_number[card.number]["Total"] == f"{card.total:.2f}"
    text = signed_in(staff).post(EXPORT, {}).content.decode()
    for clear in (SHIPPING_NAME, "Aisha", CLEAR_PHONE, STREET, "Jeddah", "4242"):
        assert clear not in text
    first, second = _exports()
    assert first.actor_id == staff.pk
    assert (first.fields, first.reason_category, first.reason) == ([], "", "")
    assert first.target_type == "order"
    assert first.client_ref == client_ref("127.0.0.1")
    assert second.pk > first.pk


def test_the_owner_exports_in_clear_with_a_reason_and_the_fields_are_recorded(db):
    card = place_order(payment="card")
    staff = _staff(Role.OWNER)
    response = signed_in(staff).post(
        EXPORT, {"clear": "on", "reason_category": "order_support", "reason": REASON}
    )
    (row,) = _rows(response)
    assert row["Name"] == SHIPPING_NAME
    assert row["Phone"] == f"'{CLEAR_PHONE}"
    assert row["Street"] == STREET and row["City"] == "Jeddah" and row["Postal code"] == "12211"
    assert row["Card"] == "Visa ending in 4242"
    (entry,) = _exports()
    assert entry.fields == [
        "full_name",
        "phone",
        "city",
        "district",
        "street",
        "building",
        "postal_code",
        "country",
        "card_brand",
        "card_last4",
    ]
    assert (entry.reason_category, entry.reason) == ("order_support", REASON)
    assert entry.subject_id is None
    assert card.number not in (entry.target_id, entry.reason)
    # The customer whose values went out finds the export on "who looked at my data".
    assert [e.pk for e in export_entries_of_subject(card.customer_id)] == [entry.pk]


def test_customer_service_may_export_only_masked_and_a_forged_clear_export_is_refused(db):
    """Customer service reveals one order at a time; a list in clear is not its work."""
    place_order(payment="card")
    staff = _staff(Role.CUSTOMER_SERVICE)
    client = signed_in(staff)
    assert 'name="clear"' not in client.get(EXPORT).content.decode()
    response = client.post(
        EXPORT, {"clear": "on", "reason_category": "order_support", "reason": REASON}
    )
    assert response.status_code == 403
    assert SHIPPING_NAME.encode() not in response.content
    assert _exports() == []
    (refusal,) = AuditEntry.objects.filter(action=AuditAction.REVEAL_REFUSED)
    assert (refusal.actor_id, refusal.target_type) == (staff.pk, "order")
    masked = _rows(client.post(EXPORT, {}))
    assert masked[0]["Name"] == "A*** A***"


def test_fulfilment_exports_the_address_in_clear_but_never_the_card(db):
    place_order(payment="card")
    response = signed_in(_staff(Role.FULFILMENT)).post(
        EXPORT, {"clear": "on", "reason_category": "delivery", "reason": REASON}
    )
    (row,) = _rows(response)
    assert row["Name"] == SHIPPING_NAME
    assert row["Card"] == "Card ending in ****"
    assert "card_last4" not in _exports()[0].fields


def test_a_clear_export_by_fulfilment_leaves_out_shipped_and_cancelled_orders(owner):
    waiting = place_order()
    shipped = order_transition(
        actor=owner,
        order=order_transition(actor=owner, order=place_order(), to=OrderStatus.PACKED),
        to=OrderStatus.SHIPPED,
        tracking_number="TRK-1",
    )
    cancelled = order_transition(actor=owner, order=place_order(), to=OrderStatus.CANCELLED)
    client = signed_in(_staff(Role.FULFILMENT))
    page = client.get(EXPORT).content.decode()
    assert "The export holds the 3 orders the list shows" in page
    assert "only the 1 order" in page
    rows = _rows(
        client.post(EXPORT, {"clear": "on", "reason_category": "delivery", "reason": REASON})
    )
    assert [row["Order number"] for row in rows] == [waiting.number]
    assert rows[0]["Name"] == SHIPPING_NAME
    (entry,) = _exports()
    assert [e.pk for e in export_entries_of_subject(waiting.customer_id)] == [entry.pk]
    for gone in (shipped, cancelled):
        assert export_entries_of_subject(gone.customer_id) == []
    # Filtering to the shipped orders exports none of them in clear.
    only_shipped = f"{EXPORT}?status__exact=shipped"
    response = client.post(
        only_shipped, {"clear": "on", "reason_category": "delivery", "reason": REASON}
    )
    assert _rows(response) == []


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"clear": "on"}, "Choose a reason."),
        ({"clear": "on", "reason_category": "order_support"}, "Explain why you need this value."),
        ({"clear": "on", "reason_category": "order_support", "reason": "short"}, "at least 10"),
        ({"clear": "on", "reason_category": "gossip", "reason": REASON}, "Choose a reason."),
    ],
)
def test_clear_values_without_a_proper_reason_export_nothing_and_record_nothing(data, problem):
    place_order()
    response = signed_in(_staff(Role.OWNER)).post(EXPORT, data)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    content = response.content.decode()
    assert problem in content
    assert SHIPPING_NAME not in content
    assert _exports() == []


def test_the_export_takes_the_lists_filters(owner):
    waiting = place_order()
    packed = order_transition(actor=owner, order=place_order(), to=OrderStatus.PACKED)
    client = signed_in(_staff(Role.CUSTOMER_SERVICE))
    listed = client.get(ORDERS, {"status__exact": "packed"}).content.decode()
    assert f'href="{EXPORT}?status__exact=packed"' in listed
    page = client.get(EXPORT, {"status__exact": "packed"})
    assert page.status_code == 200
    assert "The export holds the 1 order the list shows" in page.content.decode()
    assert _exports() == []  # the page itself exports nothing
    rows = _rows(client.post(f"{EXPORT}?status__exact=packed", {}))
    assert [row["Order number"] for row in rows] == [packed.number]
    assert waiting.number not in {row["Order number"] for row in rows}
    by_number = _rows(client.post(f"{EXPORT}?q={waiting.number}", {}))
    assert [row["Order number"] for row in by_number] == [waiting.number]


def test_the_export_page_offers_clear_values_only_to_roles_that_may_reveal(db):
    place_order()
    for role, offered in ((Role.OWNER, True), (Role.FULFILMENT, True)):
        content = signed_in(_staff(role)).get(EXPORT).content.decode()
        assert ('name="clear"' in content) is offered


@pytest.mark.parametrize(
    "role", [Role.CATALOGUE_MANAGER, Role.ANALYST, Role.COMPLIANCE_OFFICER, Role.LEGAL_COUNSEL]
)
def test_roles_without_the_export_right_are_refused(role):
    place_order()
    client = signed_in(_staff(role))
    assert client.get(EXPORT).status_code == 403
    response = client.post(EXPORT, {"clear": "on", "reason_category": "delivery", "reason": REASON})
    assert response.status_code == 403
    assert SHIPPING_NAME.encode() not in response.content
    assert _exports() == []


def test_the_compliance_officer_sees_the_list_without_the_export_link(db):
    place_order()
    listed = signed_in(_staff(Role.COMPLIANCE_OFFICER)).get(ORDERS).content.decode()
    assert EXPORT not in listed


def test_too_many_orders_are_refused_with_a_message(db, monkeypatch):
    place_order()
    place_order()
    monkeypatch.setattr("lumeire.orders.exports.MAX_EXPORT_ROWS", 1)
    response = signed_in(_staff(Role.OWNER)).post(EXPORT, {})
    assert response.status_code == 400
    assert "At most 1 orders can be exported at once." in response.content.decode()
    assert _exports() == []
    assert MAX_EXPORT_ROWS == 10_000


@pytest.mark.parametrize(
    ("value", "cell"),
    [("=HYPERLINK(1)", "'=HYPERLINK(1)"), ("@SUM", "'@SUM"), ("-2", "'-2"), ("Jeddah", "Jeddah")],
)
def test_cells_that_would_run_as_formulas_are_quoted(value, cell):
    assert safe_cell(value) == cell


def test_each_customer_of_a_clear_export_finds_it_on_who_looked_and_a_masked_one_is_not_there(
    db,
):
    orders = [place_order() for _ in range(3)]
    client = signed_in(_staff(Role.FULFILMENT))
    _rows(client.post(EXPORT, {}))  # masked: nobody's values went out
    for order in orders:
        assert access_log_of_customer(customer_id=order.customer_id).entries == []
    _rows(client.post(EXPORT, {"clear": "on", "reason_category": "delivery", "reason": REASON}))
    masked, clear = _exports()
    assert ExportedCustomer.objects.filter(export_entry_id=masked.pk).count() == 0
    # One audit entry for the export, one row per customer, written together.
    assert ExportedCustomer.objects.filter(export_entry_id=clear.pk).count() == 3
    for order in orders:
        (look,) = access_log_of_customer(customer_id=order.customer_id).entries
        assert look.viewer_role == "Fulfilment"
        assert look.reason == "Delivery"
        assert "Full name" in look.fields and "Mobile number" in look.fields
