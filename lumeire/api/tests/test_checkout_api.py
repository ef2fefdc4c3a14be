"""/api/v1/checkout through the full middleware stack: delivery options, placing an order from
the customer's own cart, idempotent retries, and refusals that leave everything as it was."""

from __future__ import annotations

import itertools
import json
import secrets
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from freezegun import freeze_time

from lumeire.accounts.services.signin import api_token_issue
from lumeire.accounts.tests.factories import make_customer
from lumeire.api.tests.helpers import API
from lumeire.api.v1.checkout import PLACEMENTS_PER_MINUTE
from lumeire.cart.models import CartLine
from lumeire.cart.services import cart_add, customer_cart
from lumeire.catalog.models import Variant
from lumeire.catalog.tests.factories import make_category, make_product
from lumeire.checkout.models import Address, AgeRestrictionRefusal, IdempotencyKey, PaymentAttempt
from lumeire.orders.models import Order, OrderEvent
from lumeire.payments.models import TestGatewayCharge
from lumeire.payments.services import card_tokenise

pytestmark = pytest.mark.django_db

PLACE = "/checkout/orders"
ADDRESS = {
    "full_name": "Noura Al-Qahtani",
    "phone": "0501234567",
    "city": "Riyadh",
    "district": "Al Olaya",
    "street": "King Fahd Road",
    "building": "7316",
    "postal_code": "12211",
    "country": "SA",
}
_addresses = (f"198.51.100.{n % 250 + 1}" for n in itertools.count())


def money(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "SAR"}


def call(method, path, body=None, *, token=None, key=None, language=None, raw=None):
    headers = {}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    if key is not None:
        headers["Idempotency-Key"] = key
    if language is not None:
        headers["Accept-Language"] = language
    kwargs = {"headers": headers, "REMOTE_ADDR": next(_addresses)}
    if body is not None or raw is not None:
        kwargs.update(data=raw if raw is not None else json.dumps(body))
        kwargs["content_type"] = "application/json"
    return getattr(Client(), method.lower())(f"{API}{path}", **kwargs)


def new_key() -> str:
    return "k-" + secrets.token_hex(10)


def card(number: str = "4242424242424242") -> str:
    return card_tokenise(number=number, exp_month=12, exp_year=2030, cvc="123").token


def order_body(**overrides) -> dict:
    body = {
        "shipping_address": dict(ADDRESS),
        "shipping_method": "standard",
        "payment": {"method": "cod"},
    }
    body.update(overrides)
    return body


def card_body(token: str, **overrides) -> dict:
    return order_body(payment={"method": "card", "card_token": token}, **overrides)


def snapshot() -> dict:
    """What a refused checkout must leave as it was."""
    return {
        "orders": Order.objects.count(),
        "events": OrderEvent.objects.count(),
        "keys": IdempotencyKey.objects.count(),
        "addresses": Address.objects.count(),
        "charges": TestGatewayCharge.objects.count(),
        "approved": PaymentAttempt.objects.filter(approved=True).count(),
        "lines": sorted(CartLine.objects.values_list("cart_id", "variant_id", "quantity")),
        "stock": sorted(Variant.objects.values_list("sku", "stock")),
    }


@pytest.fixture
def lamp():
    product = make_product(
        category=make_category(),
        name_en="Brass lamp",
        name_ar="مصباح نحاسي",
        variants=[{"sku": "LAMP-S", "price": "100.00", "stock": 5, "options": {"size": "S"}}],
    )
    return product.variants.get()


@pytest.fixture
def shopper(lamp):
    """A customer with a bearer token and two lamps (200.00 before VAT) in the cart."""
    user = make_customer()
    cart_add(cart=customer_cart(user), sku=lamp.sku, quantity=2)
    return user, api_token_issue(user=user).raw


# --- Delivery options ---------------------------------------------------------------------------


def test_shipping_methods_are_listed_with_vat_included_prices_and_thresholds():
    response = call("GET", "/checkout/shipping-methods")

    assert response.status_code == 200
    assert response.json() == [
        {
            "code": "standard",
            "name": "Standard delivery (3–5 days)",
            "price": money("25.00"),
            "free_above": money("300.00"),
        },
        {
            "code": "express",
            "name": "Express delivery (next day)",
            "price": money("50.00"),
            "free_above": None,
        },
    ]
    assert "no-store" in response["Cache-Control"]


def test_shipping_methods_are_named_in_the_requests_language():
    response = call("GET", "/checkout/shipping-methods", language="ar")

    assert [method["name"] for method in response.json()] == [
        "توصيل عادي (3–5 أيام)",
        "توصيل سريع (اليوم التالي)",
    ]


# --- Placing an order ---------------------------------------------------------------------------


@freeze_time("2026-03-02 09:30:00")
def test_a_cash_order_is_placed_from_the_customers_cart_with_201_and_its_address(shopper, lamp):
    user, token = shopper

    response = call("POST", PLACE, order_body(), token=token, key=new_key())

    assert response.status_code == 201
    order = Order.objects.get()
    assert response["Location"] == f"/api/v1/orders/{order.number}"
    assert "Idempotent-Replayed" not in response
    assert response.json() == {
        "number": order.number,
        "status": "pending_payment",
        "lines": [
            {
                "sku": "LAMP-S",
                "name": "Brass lamp",
                "options": {"size": "S"},
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
        "placed_at": "2026-03-02T09:30:00Z",
        "payment": {"method": "cod", "brand": None, "last4": None},
        "shipping_method": {"code": "standard", "name": "Standard delivery (3–5 days)"},
        "tracking_number": None,
        "can_cancel": True,
        "timeline": [{"at": "2026-03-02T09:30:00Z", "status": "pending_payment"}],
    }
    assert order.customer == user
    assert order.number.startswith("LUM-") and len(order.number) == 13
    assert CartLine.objects.count() == 0
    lamp.refresh_from_db()
    assert lamp.stock == 3
    assert TestGatewayCharge.objects.count() == 0


def test_the_response_names_nothing_of_the_delivery_address(shopper):
    _user, token = shopper

    response = call("POST", PLACE, order_body(), token=token, key=new_key())

    assert response.status_code == 201
    text = response.content.decode()
    for value in ("Noura", "Riyadh", "Olaya", "King Fahd", "7316", "0501234567", "12211"):
        assert value not in text


def test_a_card_order_is_paid_once_and_shows_only_the_brand_and_last_four(shopper):
    _user, token = shopper
    card_token = card()

    response = call("POST", PLACE, card_body(card_token), token=token, key=new_key())

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "paid"
    assert body["payment"] == {"method": "card", "brand": "visa", "last4": "4242"}
    assert body["timeline"][0]["status"] == "paid"
    charge = TestGatewayCharge.objects.get()
    assert (charge.status, charge.captured_amount) == ("captured", Decimal("255.00"))
    assert PaymentAttempt.objects.filter(approved=True).count() == 1
    assert card_token not in response.content.decode()


def test_the_address_is_saved_for_next_time_unless_the_client_says_not_to(shopper, lamp):
    user, token = shopper

    call("POST", PLACE, order_body(save_address=False), token=token, key=new_key())
    assert Address.objects.count() == 0

    cart_add(cart=customer_cart(user), sku=lamp.sku, quantity=1)
    call("POST", PLACE, order_body(), token=token, key=new_key())
    saved = Address.objects.get()
    assert (saved.customer, str(saved.city), str(saved.phone)) == (user, "Riyadh", "+966501234567")


def test_delivery_is_free_when_the_goods_reach_the_threshold(lamp):
    user = make_customer()
    cart_add(cart=customer_cart(user), sku=lamp.sku, quantity=3)  # 345.00 with VAT

    response = call(
        "POST", PLACE, order_body(), token=api_token_issue(user=user).raw, key=new_key()
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["shipping"], body["vat"], body["total"]) == (
        money("0.00"),
        money("45.00"),
        money("345.00"),
    )


def test_express_delivery_is_charged_and_named_in_the_requests_language(shopper):
    _user, token = shopper

    response = call(
        "POST",
        PLACE,
        order_body(shipping_method="express"),
        token=token,
        key=new_key(),
        language="ar",
    )

    assert response.status_code == 201
    body = response.json()
    assert body["shipping"] == money("50.00")
    assert body["shipping_method"] == {"code": "express", "name": "توصيل سريع (اليوم التالي)"}
    assert body["lines"][0]["name"] == "مصباح نحاسي"
    assert body["total"] == money("280.00")
    assert Order.objects.get().language == "ar"


def test_only_the_customers_own_cart_is_used(shopper, lamp):
    _user, token = shopper
    other = make_customer()
    cart_add(cart=customer_cart(other), sku=lamp.sku, quantity=1)

    response = call("POST", PLACE, order_body(), token=token, key=new_key())

    assert response.status_code == 201
    assert [line["quantity"] for line in response.json()["lines"]] == [2]
    assert list(CartLine.objects.values_list("cart__user", "quantity")) == [(other.pk, 1)]


# --- Idempotency --------------------------------------------------------------------------------


def test_the_same_key_again_returns_the_same_order_with_200_and_charges_once(shopper):
    _user, token = shopper
    key, body = new_key(), card_body(card())

    first = call("POST", PLACE, body, token=token, key=key)
    again = call("POST", PLACE, body, token=token, key=key)

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert again["Location"] == first["Location"]
    assert Order.objects.count() == 1
    assert TestGatewayCharge.objects.count() == 1
    assert PaymentAttempt.objects.count() == 1
    assert OrderEvent.objects.count() == 1


def test_the_confirmation_is_emailed_once_however_often_the_key_is_sent(
    shopper, django_capture_on_commit_callbacks, mailoutbox
):
    user, token = shopper
    mailoutbox.clear()
    key = new_key()

    with django_capture_on_commit_callbacks(execute=True):
        first = call("POST", PLACE, order_body(), token=token, key=key)
    with django_capture_on_commit_callbacks(execute=True):
        again = call("POST", PLACE, order_body(), token=token, key=key)

    assert (first.status_code, again.status_code) == (201, 200)
    number = first.json()["number"]
    assert [(m.to, m.subject) for m in mailoutbox] == [
        ([user.email], f"Your order {number} is confirmed")
    ]


def test_the_same_key_with_another_body_is_a_409_and_places_nothing(shopper):
    _user, token = shopper
    key = new_key()
    call("POST", PLACE, order_body(), token=token, key=key)
    before = snapshot()

    response = call("POST", PLACE, order_body(shipping_method="express"), token=token, key=key)

    assert response.status_code == 409
    assert response.json() == {
        "detail": "This Idempotency-Key was used for a different checkout. Use a new key.",
        "code": "idempotency_key_reused",
    }
    assert snapshot() == before


def test_the_same_key_with_another_cart_is_a_409_and_the_cart_stays(shopper, lamp):
    user, token = shopper
    key = new_key()
    call("POST", PLACE, order_body(), token=token, key=key)
    cart_add(cart=customer_cart(user), sku=lamp.sku, quantity=1)
    before = snapshot()

    response = call("POST", PLACE, order_body(), token=token, key=key)

    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_key_reused"
    assert snapshot() == before
    assert before["lines"] != []


def test_another_customers_key_is_their_own_and_places_a_separate_order(shopper, lamp):
    _user, token = shopper
    other = make_customer()
    cart_add(cart=customer_cart(other), sku=lamp.sku, quantity=1)
    key = new_key()

    mine = call("POST", PLACE, order_body(), token=token, key=key)
    theirs = call("POST", PLACE, order_body(), token=api_token_issue(user=other).raw, key=key)

    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert mine.json()["number"] != theirs.json()["number"]
    assert Order.objects.count() == 2


@pytest.mark.parametrize(
    ("key", "sent"),
    [
        (None, "no header"),
        ("short", "too short"),
        ("has space in it", "a space"),
        ("k" * 101, "long"),
    ],
)
def test_a_missing_or_malformed_idempotency_key_is_a_400_that_changes_nothing(shopper, key, sent):
    _user, token = shopper
    before = snapshot()

    response = call("POST", PLACE, order_body(), token=token, key=key)

    assert response.status_code == 400, sent
    assert response.json() == {
        "detail": "Send an Idempotency-Key of 8 to 100 letters, digits or . _ : -",
        "code": "idempotency_key_required",
    }
    assert snapshot() == before


# --- Refusals -----------------------------------------------------------------------------------


def test_placing_an_order_needs_a_customer_token(shopper):
    before = snapshot()

    for token in (None, "lum_not-a-token"):
        response = call("POST", PLACE, order_body(), token=token, key=new_key())

        assert response.status_code == 401
        assert response.json() == {"detail": "Sign in to do this."}
        assert response["WWW-Authenticate"] == "Bearer"
    assert snapshot() == before


def test_a_declined_card_is_a_402_that_keeps_no_order_and_leaves_cart_and_stock(shopper):
    user, token = shopper
    before = snapshot()

    response = call("POST", PLACE, card_body(card("4000000000000002")), token=token, key=new_key())

    assert response.status_code == 402
    assert response.json() == {
        "detail": "Your card was declined. No money was taken; try another card or pay on "
        "delivery.",
        "code": "payment_declined",
    }
    assert snapshot() == before
    assert before["lines"] == [(customer_cart(user).pk, Variant.objects.get().pk, 2)]
    # Kept as evidence for card-testing detection: the refusal, its amount, no card data.
    declined = PaymentAttempt.objects.get()
    assert (declined.customer, declined.approved, declined.amount) == (
        user,
        False,
        Decimal("255.00"),
    )


def test_after_a_decline_a_new_key_and_another_card_place_the_order(shopper):
    _user, token = shopper
    call("POST", PLACE, card_body(card("4000000000000002")), token=token, key=new_key())

    response = call("POST", PLACE, card_body(card()), token=token, key=new_key())

    assert response.status_code == 201
    assert Order.objects.count() == 1


def test_an_unknown_card_token_is_a_400_that_changes_nothing(shopper):
    _user, token = shopper
    before = snapshot()

    response = call("POST", PLACE, card_body("tok_never-issued"), token=token, key=new_key())

    assert response.status_code == 400
    assert response.json()["code"] == "unknown_token"
    assert snapshot() == before


def test_address_errors_are_a_400_naming_each_field_and_nothing_is_kept(shopper):
    _user, token = shopper
    before = snapshot()
    wrong = {**ADDRESS, "phone": "12", "postal_code": "ab", "country": "FR", "building": ""}

    response = call("POST", PLACE, order_body(shipping_address=wrong), token=token, key=new_key())

    assert response.status_code == 400
    assert response.json() == {
        "detail": "Please check the delivery address.",
        "code": "invalid_address",
        "errors": {
            "shipping_address.building": ["Enter 1 to 20 characters."],
            "shipping_address.country": ["We deliver only to Saudi Arabia for now."],
            "shipping_address.phone": [
                "Enter a mobile number such as 05X XXX XXXX or +9665XXXXXXXX."
            ],
            "shipping_address.postal_code": ["Enter the postal code."],
        },
    }
    assert snapshot() == before


def test_address_and_payment_errors_come_back_together(shopper):
    _user, token = shopper

    response = call(
        "POST",
        PLACE,
        order_body(shipping_address={**ADDRESS, "city": "J"}, payment={"method": "card"}),
        token=token,
        key=new_key(),
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "shipping_address.city": ["Enter 2 to 60 characters."],
        "payment.card_token": ["Enter your card details first."],
    }


def test_an_unknown_payment_method_is_a_400_on_that_field(shopper):
    _user, token = shopper

    response = call(
        "POST", PLACE, order_body(payment={"method": "cheque"}), token=token, key=new_key()
    )

    assert response.status_code == 400
    assert response.json() == {
        "detail": "Choose card or cash on delivery.",
        "code": "unknown_payment_method",
        "errors": {"payment.method": ["Choose card or cash on delivery."]},
    }
    assert Order.objects.count() == 0


def test_an_unknown_shipping_method_is_a_400_on_that_field(shopper):
    _user, token = shopper
    before = snapshot()

    response = call("POST", PLACE, order_body(shipping_method="drone"), token=token, key=new_key())

    assert response.status_code == 400
    assert response.json() == {
        "detail": "Choose one of the delivery options.",
        "code": "unknown_shipping_method",
        "errors": {"shipping_method": ["Choose one of the delivery options."]},
    }
    assert snapshot() == before


def test_a_missing_part_of_the_body_is_a_400_keyed_by_its_path(shopper):
    _user, token = shopper
    body = order_body()
    del body["shipping_address"]["city"]
    del body["payment"]

    response = call("POST", PLACE, body, token=token, key=new_key())

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"shipping_address.city", "payment"}
    assert Order.objects.count() == 0


def test_a_price_or_total_in_the_body_is_refused_not_believed(shopper):
    _user, token = shopper
    before = snapshot()

    response = call("POST", PLACE, order_body(total="0.01"), token=token, key=new_key())

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["total"]
    assert snapshot() == before


def test_a_body_that_is_not_json_is_a_400(shopper):
    _user, token = shopper

    response = call("POST", PLACE, token=token, key=new_key(), raw="{not json")

    assert response.status_code == 400
    assert response.json()["detail"] == "The request body is not valid JSON."


def test_an_empty_cart_is_a_400(shopper):
    user, token = shopper
    CartLine.objects.filter(cart__user=user).delete()

    response = call("POST", PLACE, order_body(), token=token, key=new_key())

    assert response.status_code == 400
    assert response.json() == {"detail": "Your cart is empty.", "code": "cart_empty"}
    assert Order.objects.count() == 0


def test_a_product_sold_out_since_it_was_added_is_a_400_that_takes_no_stock(shopper, lamp):
    _user, token = shopper
    Variant.objects.filter(pk=lamp.pk).update(stock=1)
    before = snapshot()

    response = call("POST", PLACE, order_body(), token=token, key=new_key())

    assert response.status_code == 400
    assert response.json() == {"detail": "Only 1 of Brass lamp is left.", "code": "sold_out"}
    assert snapshot() == before


def test_an_age_restricted_product_is_refused_to_a_younger_customer_saying_nothing_else():
    product = make_product(
        category=make_category(),
        name_en="Hunting knife",
        min_age=21,
        variants=[{"sku": "KNIFE", "price": "80.00", "stock": 4}],
    )
    today = date.today()
    young = make_customer(date_of_birth=date(today.year - 19, 1, 1))
    cart_add(cart=customer_cart(young), sku="KNIFE", quantity=1)
    before = snapshot()

    response = call(
        "POST", PLACE, order_body(), token=api_token_issue(user=young).raw, key=new_key()
    )

    assert response.status_code == 400
    assert response.json() == {
        "detail": "Hunting knife is sold only to customers aged 21 or over.",
        "code": "age_restricted",
    }
    assert "19" not in response.content.decode()
    assert snapshot() == before
    refusal = AgeRestrictionRefusal.objects.get()
    assert (refusal.customer, refusal.product, refusal.required_age) == (young, product, 21)


def test_placing_is_limited_per_customer_and_the_limit_changes_nothing(shopper):
    _user, token = shopper
    other = make_customer()
    cart_add(cart=customer_cart(other), sku="LAMP-S", quantity=1)
    with freeze_time("2026-03-02 09:30:05"):
        for _ in range(PLACEMENTS_PER_MINUTE):
            refused = order_body(payment={"method": "bitcoin"})
            call("POST", PLACE, refused, token=token, key=new_key())
        before = snapshot()

        response = call("POST", PLACE, order_body(), token=token, key=new_key())

        assert response.status_code == 429
        assert response.json() == {"detail": "Too many attempts. Try again later."}
        assert response["Retry-After"] == "55"
        assert snapshot() == before
        theirs = call(
            "POST", PLACE, order_body(), token=api_token_issue(user=other).raw, key=new_key()
        )
        assert theirs.status_code == 201


# --- The document -------------------------------------------------------------------------------


def test_the_openapi_document_describes_checkout_and_orders_with_their_errors():
    document = Client().get("/api/v1/openapi.json").json()
    paths = document["paths"]

    assert set(paths["/api/v1/checkout/shipping-methods"]) == {"get"}
    place = paths["/api/v1/checkout/orders"]["post"]
    assert set(place["responses"]) == {"200", "201", "400", "401", "402", "409", "429"}
    assert place["parameters"] == [
        {
            "in": "header",
            "name": "Idempotency-Key",
            "required": True,
            "description": place["parameters"][0]["description"],
            "schema": {"type": "string", "pattern": "^[A-Za-z0-9._:-]{8,100}$"},
        }
    ]
    assert set(paths["/api/v1/orders"]["get"]["responses"]) == {"200", "400", "401"}
    assert set(paths["/api/v1/orders/{number}"]["get"]["responses"]) == {"200", "401", "404"}
    cancel = paths["/api/v1/orders/{number}/cancel"]["post"]
    assert set(cancel["responses"]) == {"200", "400", "401", "404"}
