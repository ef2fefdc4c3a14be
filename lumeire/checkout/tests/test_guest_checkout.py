"""Buying as a guest: the same stock, totals, payment and invoice as a customer's order, the
guest's details sealed under a data key of the order's own, and what a guest cannot buy."""

from __future__ import annotations

import pytest
from django.conf import settings

from lumeire.accounts.tests.factories import make_customer
from lumeire.cart.services import cart_add, guest_cart_create
from lumeire.checkout.errors import AgeRestricted, CheckoutError, CheckoutErrorCode
from lumeire.checkout.models import AgeRestrictionRefusal, IdempotencyKey, PaymentAttempt
from lumeire.checkout.services import order_place, parse_payment
from lumeire.checkout.tests.factories import (
    ADDRESS,
    address,
    card_token,
    fill_cart,
    new_key,
    place,
    shelf_variant,
)
from lumeire.orders.models import ActorKind, Order, OrderStatus, PaymentStatus
from lumeire.vault.models import DataKey

pytestmark = pytest.mark.django_db

GUEST_EMAIL = "guest.buyer@example.com"


def guest_cart(lines):
    cart, _raw = guest_cart_create()
    for variant, quantity in lines:
        cart_add(cart=cart, sku=variant.sku, quantity=quantity)
    return cart


def place_as_guest(cart, *, pay="cod", token="", key=None, email=GUEST_EMAIL, language="en"):
    return order_place(
        customer=None,
        cart=cart,
        address=address(),
        shipping_method="standard",
        payment=parse_payment(pay, token),
        idempotency_key=key or new_key(),
        language=language,
        guest_email=email,
    )


def test_a_guest_cash_order_is_priced_and_invoiced_exactly_as_a_customers():
    variant = shelf_variant(price="434.64", stock=5)
    customer = make_customer()
    fill_cart(customer, [(variant, 2)])
    customers = place(customer).order

    cart = guest_cart([(variant, 2)])
    placement = place_as_guest(cart)

    order = Order.objects.get(pk=placement.order.pk)
    assert order.customer_id is None and order.is_guest
    assert (order.subtotal, order.shipping, order.vat, order.total) == (
        customers.subtotal,
        customers.shipping,
        customers.vat,
        customers.total,
    )
    assert order.status == OrderStatus.PENDING_PAYMENT
    assert order.payment_status == PaymentStatus.DUE_ON_DELIVERY
    assert order.invoice_number.startswith("INV-")
    assert variant.__class__.objects.get(pk=variant.pk).stock == 1
    assert order.events.get().actor_kind == ActorKind.CUSTOMER
    assert cart.lines.count() == 0


def test_a_guests_details_are_sealed_under_a_data_key_of_the_orders_own():
    placement = place_as_guest(guest_cart([(shelf_variant(), 1)]))

    order = Order.objects.get(pk=placement.order.pk)
    assert order.guest_email == GUEST_EMAIL
    assert [str(order.full_name), str(order.phone)] == [ADDRESS["full_name"], "+966501234567"]
    assert DataKey.objects.filter(subject_id=order.pk).count() == 1
    raw = Order.objects.filter(pk=order.pk).values_list("guest_email", "full_name").get()
    assert all(GUEST_EMAIL.encode() not in value.blob for value in raw)
    # The link's secret is never stored: only its SHA-256.
    assert len(order.guest_link_hash) == 64


def test_a_customers_order_stays_under_the_customers_key():
    customer = make_customer()
    fill_cart(customer, [(shelf_variant(), 1)])

    order = place(customer).order

    assert not DataKey.objects.filter(subject_id=order.pk).exists()
    assert DataKey.objects.filter(subject_id=customer.pk).exists()
    assert order.guest_email is None and order.guest_link_hash == ""


def test_a_guest_pays_by_card_and_the_attempt_is_kept_without_an_account():
    placement = place_as_guest(guest_cart([(shelf_variant(), 1)]), pay="card", token=card_token())

    order = placement.order
    assert order.status == OrderStatus.PAID
    assert order.payment_status == PaymentStatus.CAPTURED
    attempt = PaymentAttempt.objects.get()
    assert attempt.customer_id is None and attempt.approved


def test_an_age_restricted_product_is_refused_to_a_guest_and_nothing_is_kept():
    restricted = shelf_variant(min_age=18, stock=4)
    cart = guest_cart([(restricted, 1)])

    with pytest.raises(AgeRestricted) as refused:
        place_as_guest(cart)

    assert "Sign in or create an account" in refused.value.message
    assert Order.objects.count() == 0
    assert IdempotencyKey.objects.count() == 0
    assert AgeRestrictionRefusal.objects.count() == 0
    assert restricted.__class__.objects.get(pk=restricted.pk).stock == 4
    assert cart.lines.count() == 1


@pytest.mark.parametrize("email", ["", "not-an-email", "a@" + "b" * 260 + ".com"])
def test_a_guest_must_give_a_valid_email(email):
    with pytest.raises(CheckoutError) as refused:
        place_as_guest(guest_cart([(shelf_variant(), 1)]), email=email)

    assert refused.value.code == CheckoutErrorCode.INVALID_EMAIL
    assert "email" in refused.value.field_errors
    assert Order.objects.count() == 0


def test_a_guests_retried_key_returns_the_first_order_for_that_cart_only():
    variant = shelf_variant(stock=10)
    cart = guest_cart([(variant, 1)])
    key = new_key()
    first = place_as_guest(cart, key=key)

    again = place_as_guest(cart, key=key)
    other = place_as_guest(guest_cart([(variant, 1)]), key=key)

    assert again.replayed and again.order.pk == first.order.pk
    assert not other.replayed and other.order.pk != first.order.pk
    assert Order.objects.count() == 2


def test_the_guest_confirmation_goes_to_the_guests_email_with_the_orders_link(
    mailoutbox, django_capture_on_commit_callbacks
):
    cart = guest_cart([(shelf_variant(name_en="Rose water", name_ar="ماء الورد"), 1)])

    with django_capture_on_commit_callbacks(execute=True):
        order = place_as_guest(cart, language="ar").order

    [email] = mailoutbox
    assert email.to == [GUEST_EMAIL]
    site = settings.LUMEIRE_SITE_URL.rstrip("/")
    assert f"{site}/ar/orders/{order.number}/link/" in email.body
    assert order.number in email.subject
