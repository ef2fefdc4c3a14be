"""/api/v1/orders through the full middleware stack: the customer's own orders page by page,
one order with its timeline, and cancelling while the order still allows it."""

from __future__ import annotations

import itertools
import secrets
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from freezegun import freeze_time

from lumeire.accounts.services.signin import api_token_issue
from lumeire.accounts.tests.factories import make_customer
from lumeire.api.tests.helpers import API
from lumeire.cart.services import cart_add, customer_cart
from lumeire.catalog.models import Variant
from lumeire.catalog.tests.factories import make_category, make_product
from lumeire.checkout.addresses import parse_address
from lumeire.checkout.services import order_place, parse_payment
from lumeire.orders import selectors as order_selectors
from lumeire.orders.models import Order, OrderEvent, OrderStatus
from lumeire.payments.models import TestGatewayCharge
from lumeire.payments.services import card_tokenise

pytestmark = pytest.mark.django_db

ADDRESS = {
    "full_name": "Faisal Al-Otaibi",
    "phone": "0551234567",
    "city": "Dammam",
    "district": "Al Faisaliyah",
    "street": "Dhahran Street",
    "building": "2281",
    "postal_code": "32272",
    "country": "SA",
}
NOT_FOUND = {"detail": "There is no such order in your account.", "code": "order_not_found"}
_addresses = (f"203.0.113.{n % 250 + 1}" for n in itertools.count())
_start = datetime(2026, 2, 1, 8, 0, tzinfo=UTC)


def money(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "SAR"}


def call(method, path, *, token=None, language=None):
    headers = {}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    if language is not None:
        headers["Accept-Language"] = language
    return getattr(Client(), method.lower())(
        f"{API}{path}", headers=headers, REMOTE_ADDR=next(_addresses)
    )


@pytest.fixture
def lamp():
    product = make_product(
        category=make_category(),
        name_en="Brass lamp",
        name_ar="مصباح نحاسي",
        variants=[{"sku": "LAMP-M", "price": "100.00", "stock": 50, "options": {"size": "M"}}],
    )
    return product.variants.get()


def place(user, *, quantity: int = 1, pay: str = "cod", at: datetime = _start) -> Order:
    """An order placed through the checkout service at ``at``, as the API would place it."""
    cart_add(cart=customer_cart(user), sku="LAMP-M", quantity=quantity)
    card_token = ""
    if pay == "card":
        number = "4242424242424242"
        card_token = card_tokenise(number=number, exp_month=12, exp_year=2030, cvc="123").token
    with freeze_time(at):
        return order_place(
            customer=user,
            cart=customer_cart(user),
            address=parse_address(ADDRESS),
            shipping_method="standard",
            payment=parse_payment(pay, card_token),
            idempotency_key="k-" + secrets.token_hex(8),
        ).order


@pytest.fixture
def customer(lamp):
    user = make_customer()
    return user, api_token_issue(user=user).raw


def stock() -> int:
    return Variant.objects.get(sku="LAMP-M").stock


# --- Authentication -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/orders"),
        ("GET", "/orders/LUM-0000-0000"),
        ("POST", "/orders/LUM-0000-0000/cancel"),
    ],
)
def test_every_orders_endpoint_needs_a_customer_token(method, path):
    for token in (None, "lum_revoked-or-never-issued"):
        response = call(method, path, token=token)

        assert response.status_code == 401
        assert response.json() == {"detail": "Sign in to do this."}
        assert response["WWW-Authenticate"] == "Bearer"


# --- The list -----------------------------------------------------------------------------------


def test_the_list_holds_only_the_customers_orders_newest_first(customer):
    user, token = customer
    older = place(user, quantity=2, at=_start)
    newer = place(user, quantity=1, pay="card", at=_start + timedelta(hours=1))
    place(make_customer(), at=_start + timedelta(hours=2))

    response = call("GET", "/orders", token=token)

    assert response.status_code == 200
    assert response.json() == {
        "items": [
            {
                "number": newer.number,
                "status": "paid",
                "placed_at": "2026-02-01T09:00:00Z",
                "item_count": 1,
                "total": money("140.00"),
            },
            {
                "number": older.number,
                "status": "pending_payment",
                "placed_at": "2026-02-01T08:00:00Z",
                "item_count": 2,
                "total": money("255.00"),
            },
        ],
        "next_cursor": None,
    }
    assert "no-store" in response["Cache-Control"]


def test_a_customer_without_orders_gets_an_empty_page(customer):
    _user, token = customer

    response = call("GET", "/orders", token=token)

    assert response.json() == {"items": [], "next_cursor": None}


def test_pages_follow_the_cursor_until_it_is_null(customer):
    user, token = customer
    numbers = [place(user, at=_start + timedelta(minutes=n)).number for n in range(3)][::-1]

    first = call("GET", "/orders?limit=2", token=token).json()
    second = call("GET", f"/orders?limit=2&cursor={first['next_cursor']}", token=token).json()

    assert [item["number"] for item in first["items"]] == numbers[:2]
    assert first["next_cursor"] == numbers[1]
    assert [item["number"] for item in second["items"]] == numbers[2:]
    assert second["next_cursor"] is None


def test_a_page_longer_than_the_selectors_default_is_whole(customer, monkeypatch):
    monkeypatch.setattr(order_selectors, "ORDERS_PAGE_SIZE", 2)
    user, token = customer
    numbers = [place(user, at=_start + timedelta(minutes=n)).number for n in range(6)][::-1]

    first = call("GET", "/orders?limit=5", token=token).json()
    rest = call("GET", f"/orders?limit=5&cursor={first['next_cursor']}", token=token).json()
    exact = call("GET", "/orders?limit=6", token=token).json()

    assert [item["number"] for item in first["items"]] == numbers[:5]
    assert first["next_cursor"] == numbers[4]
    assert ([item["number"] for item in rest["items"]], rest["next_cursor"]) == (numbers[5:], None)
    assert ([item["number"] for item in exact["items"]], exact["next_cursor"]) == (numbers, None)


def test_a_longer_page_costs_no_more_queries(customer, monkeypatch):
    monkeypatch.setattr(order_selectors, "ORDERS_PAGE_SIZE", 2)
    user, token = customer
    for n in range(6):
        place(user, at=_start + timedelta(minutes=n))
    call("GET", "/orders?limit=1", token=token)  # anything cached on a first request

    counts = []
    for limit in (1, 6):
        with CaptureQueriesContext(connection) as queries:
            assert len(call("GET", f"/orders?limit={limit}", token=token).json()["items"]) == limit
        counts.append(len(queries))

    assert counts[0] == counts[1]


@pytest.mark.parametrize("limit", ["0", "101", "ten", "-1"])
def test_a_limit_outside_1_to_100_is_a_400_on_that_parameter(customer, limit):
    _user, token = customer

    response = call("GET", f"/orders?limit={limit}", token=token)

    assert response.status_code == 400
    assert response.json()["errors"] == {"limit": ["The limit is a whole number from 1 to 100."]}


def test_a_cursor_that_is_not_one_of_the_customers_orders_is_a_400(customer):
    user, token = customer
    place(user)
    theirs = place(make_customer())

    for cursor in ("garbage", theirs.number):
        response = call("GET", f"/orders?cursor={cursor}", token=token)

        assert response.status_code == 400
        assert response.json() == {
            "detail": "This page link is not valid; start from the first page.",
            "code": "invalid_cursor",
            "errors": {"cursor": ["This page link is not valid; start from the first page."]},
        }


# --- One order ----------------------------------------------------------------------------------


def test_an_order_shows_its_lines_totals_card_and_timeline(customer):
    user, token = customer
    order = place(user, quantity=2, pay="card")

    response = call("GET", f"/orders/{order.number}", token=token)

    assert response.status_code == 200
    assert response.json() == {
        "number": order.number,
        "status": "paid",
        "lines": [
            {
                "sku": "LAMP-M",
                "name": "Brass lamp",
                "options": {"size": "M"},
                "quantity": 2,
                "unit_price": money("115.00"),
                "net": money("200.00"),
                "vat": money("30.00"),
                "total": money("230.00"),
            }
        ],
        "subtotal": money("230.00"),
        "shipping": money("25.00"),
        "vat": money("33.26"),
        "total": money("255.00"),
        "placed_at": "2026-02-01T08:00:00Z",
        "payment": {"method": "card", "brand": "visa", "last4": "4242"},
        "shipping_method": {"code": "standard", "name": "Standard delivery (3–5 days)"},
        "tracking_number": None,
        "can_cancel": True,
        "timeline": [{"at": "2026-02-01T08:00:00Z", "status": "paid"}],
    }
    text = response.content.decode()
    for value in ("Faisal", "Dammam", "Faisaliyah", "Dhahran", "2281", "0551234567", "32272"):
        assert value not in text
    assert order.card_token not in text


def test_names_follow_the_requests_language_and_the_number_its_case(customer):
    user, token = customer
    order = place(user)

    response = call("GET", f"/orders/{order.number.lower()}", token=token, language="ar")

    body = response.json()
    assert body["number"] == order.number
    assert body["lines"][0]["name"] == "مصباح نحاسي"
    assert body["shipping_method"]["name"] == "توصيل عادي (3–5 أيام)"


def test_a_shipped_order_shows_its_tracking_number_and_whole_timeline(customer):
    user, token = customer
    order = place(user)
    for step, status in enumerate(["packed", "shipped"], start=1):
        OrderEvent.objects.create(
            order=order,
            at=_start + timedelta(days=step),
            from_status=order.status,
            to_status=status,
            actor_kind="staff",
        )
    Order.objects.filter(pk=order.pk).update(status="shipped", tracking_number="SMSA-55120")

    body = call("GET", f"/orders/{order.number}", token=token).json()

    assert (body["status"], body["tracking_number"], body["can_cancel"]) == (
        "shipped",
        "SMSA-55120",
        False,
    )
    assert body["timeline"] == [
        {"at": "2026-02-01T08:00:00Z", "status": "pending_payment"},
        {"at": "2026-02-02T08:00:00Z", "status": "packed"},
        {"at": "2026-02-03T08:00:00Z", "status": "shipped"},
    ]


def test_another_customers_order_and_an_unknown_number_are_the_same_404(customer):
    _user, token = customer
    theirs = place(make_customer())

    foreign = call("GET", f"/orders/{theirs.number}", token=token)
    unknown = call("GET", "/orders/LUM-ZZZZ-ZZZZ", token=token)

    assert (foreign.status_code, unknown.status_code) == (404, 404)
    assert foreign.json() == unknown.json() == NOT_FOUND


# --- Cancelling ---------------------------------------------------------------------------------


def test_a_cash_order_is_cancelled_before_packing_and_its_stock_returns(customer):
    user, token = customer
    order = place(user, quantity=3)
    assert stock() == 47

    with freeze_time(_start + timedelta(hours=3)):
        response = call("POST", f"/orders/{order.number}/cancel", token=token)

    assert response.status_code == 200
    body = response.json()
    assert (body["number"], body["status"], body["can_cancel"]) == (
        order.number,
        "cancelled",
        False,
    )
    assert body["timeline"] == [
        {"at": "2026-02-01T08:00:00Z", "status": "pending_payment"},
        {"at": "2026-02-01T11:00:00Z", "status": "cancelled"},
    ]
    assert stock() == 50
    event = OrderEvent.objects.get(to_status="cancelled")
    assert (event.actor, event.actor_kind, event.from_status) == (
        user,
        "customer",
        "pending_payment",
    )


def test_cancelling_a_paid_card_order_refunds_the_charge(customer):
    user, token = customer
    order = place(user, pay="card")

    response = call("POST", f"/orders/{order.number}/cancel", token=token)

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    charge = TestGatewayCharge.objects.get()
    assert (charge.status, charge.refunded_amount) == ("refunded", order.total)
    order.refresh_from_db()
    assert order.payment_status == "refunded"


@pytest.mark.parametrize("status", ["packed", "shipped", "delivered", "cancelled"])
def test_an_order_past_the_point_of_cancelling_is_a_400_and_stays_as_it_was(customer, status):
    user, token = customer
    order = place(user, quantity=2)
    Order.objects.filter(pk=order.pk).update(status=status)
    events = OrderEvent.objects.count()

    response = call("POST", f"/orders/{order.number}/cancel", token=token)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "transition_not_allowed"
    assert body["detail"] == (
        f"An order that is {OrderStatus(status).label.lower()} cannot become cancelled."
    )
    order.refresh_from_db()
    assert order.status == status
    assert OrderEvent.objects.count() == events
    assert stock() == 48


def test_another_customers_order_cannot_be_cancelled_and_looks_unknown(customer):
    _user, token = customer
    theirs = place(make_customer())

    response = call("POST", f"/orders/{theirs.number}/cancel", token=token)

    assert response.status_code == 404
    assert response.json() == NOT_FOUND
    theirs.refresh_from_db()
    assert theirs.status == "pending_payment"
    assert stock() == 49
