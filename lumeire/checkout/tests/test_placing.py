"""Placing an order: what one successful checkout writes, and what every refusal leaves behind.

A refusal (sold out, too young, declined card, a failure in the middle of the transaction)
must leave no order, no order line, no idempotency key, the stock and the cart as they were.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from lumeire.accounts.tests.factories import make_customer
from lumeire.cart.models import CartLine
from lumeire.catalog.models import Product, Variant
from lumeire.catalog.services import product_save
from lumeire.checkout.errors import (
    AgeRestricted,
    CheckoutError,
    CheckoutErrorCode,
    PaymentDeclined,
)
from lumeire.checkout.models import Address, AgeRestrictionRefusal, IdempotencyKey, PaymentAttempt
from lumeire.checkout.services import parse_idempotency_key, parse_payment
from lumeire.checkout.tests.factories import (
    ADDRESS,
    DECLINED_CARD,
    address,
    card_token,
    fill_cart,
    place,
    shelf_variant,
)
from lumeire.core.errors import ApplicationError
from lumeire.orders.models import (
    ActorKind,
    InvoiceSequence,
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
    PaymentStatus,
)
from lumeire.payments.models import ChargeStatus, TestGatewayCharge

pytestmark = pytest.mark.django_db

ORDER_NUMBER = re.compile(r"LUM-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}")


def cart_content(customer) -> list[tuple[int, int]]:
    return sorted(
        CartLine.objects.filter(cart__user=customer).values_list("variant_id", "quantity")
    )


def stock_of(variant: Variant) -> int:
    return Variant.objects.get(pk=variant.pk).stock


def nothing_was_kept() -> None:
    """No trace of a placing: no order, no line, no event, no key, no charge, no invoice number."""
    assert Order.objects.count() == 0
    assert OrderLine.objects.count() == 0
    assert OrderEvent.objects.count() == 0
    assert IdempotencyKey.objects.count() == 0
    assert TestGatewayCharge.objects.count() == 0
    assert InvoiceSequence.objects.filter(last__gt=0).count() == 0


# --- A placed order ------------------------------------------------------------------------------


def test_a_cash_order_snapshots_lines_prices_and_address_and_takes_the_stock():
    customer = make_customer()
    variant = shelf_variant(price="50.00", stock=3, name_en="Oud candle", name_ar="شمعة عود")
    fill_cart(customer, [(variant, 2)])

    placement = place(customer)

    order = Order.objects.get()
    assert placement.order == order and placement.replayed is False
    assert ORDER_NUMBER.fullmatch(order.number)
    assert order.customer == customer
    assert (order.status, order.payment_status) == (
        OrderStatus.PENDING_PAYMENT,
        PaymentStatus.DUE_ON_DELIVERY,
    )
    # 2 x 50.00 = 100.00 net, 15.00 VAT; 115.00 with VAT is under 300.00, so delivery is paid.
    assert (order.subtotal, order.shipping, order.shipping_vat) == (
        Decimal("100.00"),
        Decimal("21.74"),
        Decimal("3.26"),
    )
    assert (order.vat, order.total) == (Decimal("18.26"), Decimal("140.00"))
    assert (order.currency, order.language, order.shipping_method_code) == ("SAR", "en", "standard")
    assert order.invoice_number == f"INV-{timezone.localdate().year}-000001"
    line = order.lines.get()
    assert (line.sku, line.name_en, line.name_ar) == (variant.sku, "Oud candle", "شمعة عود")
    assert (line.unit_price, line.quantity, line.net, line.vat) == (
        Decimal("50.00"),
        2,
        Decimal("100.00"),
        Decimal("15.00"),
    )
    assert order.address_lines() == [
        "Aisha Al-Harbi",
        "4127 Prince Sultan Road",
        "Al Rawdah, Jeddah 12211",
        "Saudi Arabia",
        "+966501234567",
    ]
    assert stock_of(variant) == 1
    assert cart_content(customer) == []
    event = OrderEvent.objects.get()
    assert (event.order, event.from_status, event.to_status) == (order, "", "pending_payment")
    assert (event.actor, event.actor_kind) == (customer, ActorKind.CUSTOMER)
    assert order.card_token == order.card_last4 == order.payment_reference == ""
    assert TestGatewayCharge.objects.count() == 0 and PaymentAttempt.objects.count() == 0


def test_the_shipping_address_is_stored_encrypted():
    customer = make_customer()
    fill_cart(customer, [(shelf_variant(), 1)])

    order = place(customer).order

    with connection.cursor() as cursor:
        cursor.execute("SELECT full_name, phone, street FROM orders_order")
        stored = " ".join(
            bytes(value).decode("latin-1") if not isinstance(value, str) else value
            for value in cursor.fetchone()
        )
    assert "Aisha" not in stored and "0501234567" not in stored and "501234567" not in stored
    assert "Prince Sultan" not in stored
    assert str(Order.objects.get(pk=order.pk).full_name) == "Aisha Al-Harbi"


def test_a_card_order_is_paid_and_keeps_only_token_brand_and_last_four():
    customer = make_customer()
    variant = shelf_variant(price="200.00", stock=2)
    fill_cart(customer, [(variant, 1)])
    token = card_token()

    order = place(customer, pay="card", token=token, method="express").order

    order.refresh_from_db()
    assert (order.status, order.payment_status) == (OrderStatus.PAID, PaymentStatus.CAPTURED)
    assert (order.card_token, order.card_brand, order.card_last4) == (token, "visa", "4242")
    # 200.00 + 30.00 VAT; express is never free: 43.48 + 6.52 VAT.
    assert (order.subtotal, order.shipping, order.vat, order.total) == (
        Decimal("200.00"),
        Decimal("43.48"),
        Decimal("36.52"),
        Decimal("280.00"),
    )
    charge = TestGatewayCharge.objects.get()
    assert order.payment_reference == charge.reference and order.payment_gateway == "test"
    assert (charge.status, charge.amount, charge.captured_amount) == (
        ChargeStatus.CAPTURED,
        Decimal("280.00"),
        Decimal("280.00"),
    )
    assert charge.merchant_reference == order.number
    attempt = PaymentAttempt.objects.get()
    assert (attempt.customer, attempt.approved, attempt.amount) == (
        customer,
        True,
        Decimal("280.00"),
    )
    assert OrderEvent.objects.get().to_status == OrderStatus.PAID
    assert stock_of(variant) == 1


@pytest.mark.parametrize(
    ("net_price", "shipping", "total"),
    [
        ("260.87", "0.00", "300.00"),  # 260.87 + 39.13 VAT = 300.00: delivery is free
        ("260.86", "21.74", "324.99"),  # 299.99 with VAT: 21.74 + 3.26 VAT for delivery
    ],
)
def test_standard_delivery_is_free_from_300_with_vat(net_price, shipping, total):
    customer = make_customer()
    fill_cart(customer, [(shelf_variant(price=net_price), 1)])

    order = place(customer).order

    assert (order.shipping, order.total) == (Decimal(shipping), Decimal(total))


def test_invoice_numbers_follow_each_other_without_gaps():
    year = timezone.localdate().year
    numbers = []
    for _ in range(3):
        customer = make_customer()
        fill_cart(customer, [(shelf_variant(), 1)])
        numbers.append(place(customer).order.invoice_number)

    assert numbers == [f"INV-{year}-000001", f"INV-{year}-000002", f"INV-{year}-000003"]


def test_the_address_is_saved_once_and_only_when_asked():
    customer = make_customer()
    variant = shelf_variant(stock=10)

    for _ in range(2):
        fill_cart(customer, [(variant, 1)])
        place(customer)
    fill_cart(customer, [(variant, 1)])
    place(customer, to=address(city="Riyadh"), save_address=False)

    saved = Address.objects.get(customer=customer)
    assert {name: str(getattr(saved, name)) for name in ADDRESS} == {
        **ADDRESS,
        "phone": "+966501234567",
    }


def test_a_new_address_is_saved_beside_the_others_and_a_reused_one_comes_first():
    customer = make_customer()
    variant = shelf_variant(stock=10)
    for city in ("Jeddah", "Riyadh", "Jeddah"):
        fill_cart(customer, [(variant, 1)])
        place(customer, to=address(city=city))

    saved = list(Address.objects.filter(customer=customer).order_by("-last_used_at", "-id"))
    assert [str(one.city) for one in saved] == ["Jeddah", "Riyadh"]


def test_an_arabic_checkout_makes_an_arabic_order_and_an_unknown_language_an_english_one():
    customer = make_customer()
    variant = shelf_variant(stock=10)
    fill_cart(customer, [(variant, 1)])
    arabic = place(customer, language="ar").order
    fill_cart(customer, [(variant, 1)])
    other = place(customer, language="xx-evil").order

    assert (arabic.language, other.language) == ("ar", "en")


# --- Refusals ------------------------------------------------------------------------------------


def test_an_empty_cart_is_refused_and_keeps_nothing():
    customer = make_customer()

    with pytest.raises(CheckoutError) as refused:
        place(customer)

    assert refused.value.code == CheckoutErrorCode.CART_EMPTY
    assert refused.value.message == "Your cart is empty."
    nothing_was_kept()


def test_an_unknown_shipping_method_is_refused_on_its_field():
    customer = make_customer()
    fill_cart(customer, [(shelf_variant(), 1)])

    with pytest.raises(CheckoutError) as refused:
        place(customer, method="drone")

    assert refused.value.code == CheckoutErrorCode.UNKNOWN_SHIPPING_METHOD
    assert refused.value.field_errors == {
        "shipping_method": ["Choose one of the delivery options."]
    }
    nothing_was_kept()


@pytest.mark.parametrize("key", ["", "   ", "short", "has spaces in it", "x" * 101, "ключ-ключ"])
def test_a_missing_or_malformed_idempotency_key_is_refused(key):
    with pytest.raises(CheckoutError) as refused:
        parse_idempotency_key(key)

    assert refused.value.code == CheckoutErrorCode.IDEMPOTENCY_KEY_REQUIRED
    assert refused.value.status_code == 400


def test_a_well_formed_idempotency_key_is_kept_as_sent():
    assert parse_idempotency_key("  web:4f1c-9a_b.77 ") == "web:4f1c-9a_b.77"


@pytest.mark.parametrize(
    ("method", "token", "code", "field"),
    [
        ("bitcoin", "", CheckoutErrorCode.UNKNOWN_PAYMENT_METHOD, "method"),
        ("", "", CheckoutErrorCode.UNKNOWN_PAYMENT_METHOD, "method"),
        ("card", "", CheckoutErrorCode.CARD_TOKEN_REQUIRED, "card_token"),
        ("card", "   ", CheckoutErrorCode.CARD_TOKEN_REQUIRED, "card_token"),
    ],
)
def test_a_payment_choice_needs_a_known_method_and_a_card_needs_a_token(method, token, code, field):
    with pytest.raises(CheckoutError) as refused:
        parse_payment(method, token)

    assert refused.value.code == code
    assert list(refused.value.field_errors) == [field]


def test_cash_on_delivery_ignores_a_card_token_sent_with_it():
    assert parse_payment("cod", "tok_abc").card_token == ""
    assert parse_payment(" card ", " tok_abc ").card_token == "tok_abc"


def test_more_than_is_left_is_refused_with_what_is_left_and_nothing_changes():
    customer = make_customer()
    variant = shelf_variant(stock=5, name_en="Brass lamp")
    other = shelf_variant(stock=5)
    fill_cart(customer, [(other, 1), (variant, 3)])
    Variant.objects.filter(pk=variant.pk).update(stock=2)  # someone else bought three meanwhile
    before = cart_content(customer)

    with pytest.raises(CheckoutError) as refused:
        place(customer)

    assert refused.value.code == CheckoutErrorCode.SOLD_OUT
    assert refused.value.message == "Only 2 of Brass lamp are left."
    assert (stock_of(variant), stock_of(other)) == (2, 5)
    assert cart_content(customer) == before
    nothing_was_kept()


def test_a_sold_out_product_is_named_in_the_refusal():
    customer = make_customer()
    variant = shelf_variant(stock=1, name_en="Silk scarf")
    fill_cart(customer, [(variant, 1)])
    Variant.objects.filter(pk=variant.pk).update(stock=0)

    with pytest.raises(CheckoutError) as refused:
        place(customer)

    assert refused.value.message == "Sorry, Silk scarf is sold out."
    assert stock_of(variant) == 0
    nothing_was_kept()


def test_a_product_taken_off_sale_after_it_was_added_is_refused():
    customer = make_customer()
    variant = shelf_variant(stock=4, name_en="Linen shirt")
    fill_cart(customer, [(variant, 1)])
    product = Product.objects.get(pk=variant.product_id)
    product.is_active = False
    product_save(product=product)

    with pytest.raises(CheckoutError) as refused:
        place(customer)

    assert refused.value.code == CheckoutErrorCode.PRODUCT_UNAVAILABLE
    assert refused.value.message == "Linen shirt is no longer sold. Remove it from your cart."
    assert stock_of(variant) == 4 and cart_content(customer) == [(variant.pk, 1)]
    nothing_was_kept()


def test_a_declined_card_keeps_no_order_and_records_one_refused_attempt():
    customer = make_customer()
    variant = shelf_variant(price="100.00", stock=3)
    fill_cart(customer, [(variant, 2)])

    with pytest.raises(PaymentDeclined) as refused:
        place(customer, pay="card", token=card_token(DECLINED_CARD))

    assert refused.value.code == CheckoutErrorCode.PAYMENT_DECLINED
    assert refused.value.status_code == 402
    assert refused.value.message == (
        "Your card was declined. No money was taken; try another card or pay on delivery."
    )
    assert stock_of(variant) == 3 and cart_content(customer) == [(variant.pk, 2)]
    nothing_was_kept()
    attempt = PaymentAttempt.objects.get()
    assert (attempt.customer, attempt.approved, attempt.amount) == (
        customer,
        False,
        Decimal("255.00"),  # 200.00 + 21.74 delivery + 33.26 VAT
    )
    assert Address.objects.count() == 0


def test_an_unknown_card_token_is_refused_and_keeps_nothing():
    customer = make_customer()
    variant = shelf_variant(stock=3)
    fill_cart(customer, [(variant, 1)])

    with pytest.raises(ApplicationError) as refused:
        place(customer, pay="card", token="tok_made_up")

    assert (refused.value.code, refused.value.status_code) == ("unknown_token", 400)
    assert stock_of(variant) == 3 and cart_content(customer) == [(variant.pk, 1)]
    nothing_was_kept()


class Injected(Exception):
    """A failure planted in the middle of the placing transaction."""


def _fail(*args, **kwargs):
    raise Injected


@pytest.mark.parametrize("pay", ["cod", "card"])
@pytest.mark.parametrize(
    "step", ["order_event_add", "product_summary_refresh", "next_invoice_number"]
)
def test_a_failure_after_the_stock_was_taken_rolls_everything_back(monkeypatch, step, pay):
    customer = make_customer()
    first, second = shelf_variant(stock=2), shelf_variant(stock=7)
    fill_cart(customer, [(first, 2), (second, 3)])
    before = cart_content(customer)
    token = card_token() if pay == "card" else ""
    monkeypatch.setattr(f"lumeire.checkout.services.{step}", _fail)

    with pytest.raises(Injected):
        place(customer, pay=pay, token=token)

    assert (stock_of(first), stock_of(second)) == (2, 7)
    assert cart_content(customer) == before
    nothing_was_kept()
    assert Address.objects.count() == 0
    assert Product.objects.get(pk=first.product_id).in_stock is True
    # The charge went with the transaction; a declined attempt is the only one ever recorded.
    assert PaymentAttempt.objects.count() == 0


def test_the_key_and_the_stock_are_free_again_after_a_failed_placing(monkeypatch):
    customer = make_customer()
    variant = shelf_variant(stock=1)
    fill_cart(customer, [(variant, 1)])
    monkeypatch.setattr("lumeire.checkout.services.order_event_add", _fail)
    with pytest.raises(Injected):
        place(customer, key="retry-me-please")
    monkeypatch.undo()

    placement = place(customer, key="retry-me-please")

    assert placement.replayed is False and stock_of(variant) == 0
    assert Order.objects.count() == 1


# --- Age-restricted products ---------------------------------------------------------------------


def born_years_ago(years: int) -> date:
    """A date of birth that makes the customer exactly ``years`` old today."""
    today = timezone.localdate()
    return date(today.year - years, today.month, min(today.day, 28))


def test_a_customer_younger_than_the_product_requires_is_refused_and_the_refusal_recorded():
    customer = make_customer(date_of_birth=born_years_ago(20))
    plain = shelf_variant(stock=3)
    restricted = shelf_variant(stock=3, min_age=21, name_en="Shisha starter kit")
    fill_cart(customer, [(plain, 1), (restricted, 1)])
    before = cart_content(customer)

    with pytest.raises(AgeRestricted) as refused:
        place(customer)

    assert refused.value.code == CheckoutErrorCode.AGE_RESTRICTED
    assert refused.value.status_code == 400
    # The product and its age, nothing about the customer (not their age, not their birthday).
    assert refused.value.message == "Shisha starter kit is sold only to customers aged 21 or over."
    assert refused.value.field_errors == {}
    assert (stock_of(plain), stock_of(restricted)) == (3, 3)
    assert cart_content(customer) == before
    nothing_was_kept()
    refusal = AgeRestrictionRefusal.objects.get()
    assert (refusal.customer, refusal.product_id, refusal.required_age) == (
        customer,
        restricted.product_id,
        21,
    )


def test_a_customer_who_turns_the_required_age_today_may_buy():
    customer = make_customer(date_of_birth=born_years_ago(21))
    fill_cart(customer, [(shelf_variant(min_age=21), 1)])

    assert place(customer).order.status == OrderStatus.PENDING_PAYMENT
    assert AgeRestrictionRefusal.objects.count() == 0


def test_an_age_refusal_in_arabic_names_the_product_and_the_age_in_arabic():
    from django.utils import translation

    customer = make_customer(date_of_birth=born_years_ago(19))
    fill_cart(customer, [(shelf_variant(min_age=21, name_ar="أرجيلة"), 1)])

    with translation.override("ar"), pytest.raises(AgeRestricted) as refused:
        place(customer, language="ar")

    assert refused.value.message == "يُباع أرجيلة فقط لمن بلغ 21 عامًا أو أكثر."
    assert AgeRestrictionRefusal.objects.count() == 1
