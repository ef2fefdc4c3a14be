"""The Idempotency-Key: a retried checkout returns the first order; a different one is a 409."""

from __future__ import annotations

import pytest

from lumeire.accounts.tests.factories import make_customer
from lumeire.cart.models import CartLine
from lumeire.catalog.models import Variant
from lumeire.checkout import services
from lumeire.checkout.errors import CheckoutConflict, CheckoutErrorCode, PaymentDeclined
from lumeire.checkout.models import IdempotencyKey, PaymentAttempt
from lumeire.checkout.tests.factories import (
    DECLINED_CARD,
    address,
    card_token,
    fill_cart,
    place,
    shelf_variant,
)
from lumeire.orders.models import Order, OrderEvent
from lumeire.payments.models import TestGatewayCharge

pytestmark = pytest.mark.django_db


def stock_of(variant: Variant) -> int:
    return Variant.objects.get(pk=variant.pk).stock


def test_the_same_key_again_returns_the_same_order_and_does_nothing_new(
    django_capture_on_commit_callbacks, mailoutbox
):
    customer = make_customer()
    variant = shelf_variant(stock=5)
    fill_cart(customer, [(variant, 2)])
    token = card_token()
    first = place(customer, pay="card", token=token, key="checkout-0001")
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = place(customer, pay="card", token=token, key="checkout-0001")

    assert again.replayed is True and again.order.pk == first.order.pk
    assert again.order.number == first.order.number
    assert Order.objects.count() == 1 and OrderEvent.objects.count() == 1
    assert TestGatewayCharge.objects.count() == 1
    assert PaymentAttempt.objects.count() == 1
    assert stock_of(variant) == 3
    assert callbacks == [] and mailoutbox == []


def test_the_same_key_with_a_different_cart_is_a_conflict_that_changes_nothing():
    customer = make_customer()
    first, second = shelf_variant(stock=5), shelf_variant(stock=5)
    fill_cart(customer, [(first, 1)])
    place(customer, key="checkout-0002")
    fill_cart(customer, [(second, 1)])

    with pytest.raises(CheckoutConflict) as refused:
        place(customer, key="checkout-0002")

    assert refused.value.code == CheckoutErrorCode.IDEMPOTENCY_KEY_REUSED
    assert refused.value.status_code == 409
    assert refused.value.message == (
        "This Idempotency-Key was used for a different checkout. Use a new key."
    )
    assert Order.objects.count() == 1
    assert (stock_of(first), stock_of(second)) == (4, 5)
    assert list(
        CartLine.objects.filter(cart__user=customer).values_list("variant_id", flat=True)
    ) == [second.pk]


@pytest.mark.parametrize(
    "change",
    [
        {"to": "another address"},
        {"method": "express"},
        {"pay": "card"},
    ],
)
def test_the_same_key_with_another_address_delivery_or_payment_is_a_conflict(change):
    customer = make_customer()
    variant = shelf_variant(stock=5)
    fill_cart(customer, [(variant, 1)])
    place(customer, key="checkout-0003")
    if change.get("to"):
        change = {"to": address(street="King Fahd Road")}
    if change.get("pay"):
        change = {"pay": "card", "token": card_token()}

    with pytest.raises(CheckoutConflict):
        place(customer, key="checkout-0003", **change)

    assert Order.objects.count() == 1 and stock_of(variant) == 4
    assert TestGatewayCharge.objects.count() == 0


def test_a_key_belongs_to_its_customer_alone():
    variant = shelf_variant(stock=5)
    orders = []
    for _ in range(2):
        customer = make_customer()
        fill_cart(customer, [(variant, 1)])
        orders.append(place(customer, key="same-words-by-chance"))

    assert [o.replayed for o in orders] == [False, False]
    assert orders[0].order.pk != orders[1].order.pk
    assert IdempotencyKey.objects.filter(key="same-words-by-chance").count() == 2
    assert stock_of(variant) == 3


def test_a_refused_checkout_does_not_use_up_its_key():
    customer = make_customer()
    variant = shelf_variant(stock=5)
    fill_cart(customer, [(variant, 1)])
    with pytest.raises(PaymentDeclined):
        place(customer, pay="card", token=card_token(DECLINED_CARD), key="checkout-0004")

    placed = place(customer, pay="card", token=card_token(), key="checkout-0004")

    assert placed.replayed is False and placed.order.status == "paid"
    assert IdempotencyKey.objects.get().order == placed.order
    assert list(PaymentAttempt.objects.order_by("at").values_list("approved", flat=True)) == [
        False,
        True,
    ]


def test_a_key_claimed_between_the_check_and_the_claim_returns_the_first_order(monkeypatch):
    # Two requests with one key: the second passed the first check before the first committed,
    # then met the stored key when claiming it.
    customer = make_customer()
    variant = shelf_variant(stock=5)
    fill_cart(customer, [(variant, 1)])
    first = place(customer, key="checkout-0005")
    real_replay = services._replay
    checks = []

    def too_early_the_first_time(**kwargs):
        checks.append(kwargs["key"])
        return None if len(checks) == 1 else real_replay(**kwargs)

    monkeypatch.setattr(services, "_replay", too_early_the_first_time)

    again = place(customer, key="checkout-0005")

    assert checks == ["checkout-0005", "checkout-0005"]
    assert again.replayed is True and again.order.pk == first.order.pk
    assert Order.objects.count() == 1 and stock_of(variant) == 4
