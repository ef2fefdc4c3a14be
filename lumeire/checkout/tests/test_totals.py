"""One set of figures everywhere: the cart, the checkout review, the order, the invoice, the QR.

Shelf prices include VAT: the shown unit price (the net price with its VAT, rounded) × the
quantity is the line; the lines + delivery - discounts are the total; the VAT is the total ×
15/115, rounded half-up once, as ZATCA's simplified invoice states it. Random carts check that
every place that shows a figure shows the same one, to the halala.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.conf import settings
from hypothesis import example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from lumeire.accounts.tests.factories import make_customer
from lumeire.cart.models import CartLine
from lumeire.cart.selectors import cart_summary
from lumeire.cart.services import customer_cart
from lumeire.checkout.selectors import cart_checkout_totals, shipping_method_get
from lumeire.checkout.tests.factories import card_token, fill_cart, place, shelf_variant
from lumeire.core.money import bill_of
from lumeire.invoicing.zatca import TOTAL_WITH_VAT, VAT_TOTAL, tlv_decode
from lumeire.orders.selectors import order_invoice_document
from lumeire.payments.models import TestGatewayCharge

pytestmark = pytest.mark.django_db

RATE = Decimal("0.15")
HALALA = Decimal("0.01")
ZERO = Decimal("0.00")
prices = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999.99"), places=2)
lines = st.lists(st.tuples(prices, st.integers(min_value=1, max_value=20)), min_size=1, max_size=5)


def half_up(amount: Decimal) -> Decimal:
    return amount.quantize(HALALA, rounding=ROUND_HALF_UP)


def vat_in(gross: Decimal) -> Decimal:
    """ZATCA: the VAT in an amount that includes it, 15/115 of it, rounded half-up."""
    return half_up(gross * 15 / 115)


def expected_totals(items: list[tuple[Decimal, int]], method: str) -> dict:
    """The figures as the spec states them, worked out here without the store's code."""
    units = [half_up(price) + half_up(price * RATE) for price, _quantity in items]
    line_totals = [unit * quantity for unit, (_price, quantity) in zip(units, items, strict=True)]
    goods = sum(line_totals, ZERO)
    if method == "standard":  # 21.74 before VAT, 25.00 with it; free from 300.00 of goods
        shipping = ZERO if goods >= Decimal("300.00") else Decimal("25.00")
    else:  # 43.48 before VAT
        shipping = Decimal("50.00")
    total = goods + shipping
    return {
        "units": units,
        "lines": line_totals,
        "goods": goods,
        "shipping": shipping,
        "total": total,
        "vat": vat_in(total),
    }


def test_the_store_charges_fifteen_percent():
    assert settings.LUMEIRE_VAT_RATE == RATE


@pytest.fixture
def shopper():
    return make_customer()


@hypothesis_settings(max_examples=60)
@given(
    items=lines,
    method=st.sampled_from(["standard", "express"]),
    pay=st.sampled_from(["cod", "card"]),
)
# SQLite once refused this order: it summed 0.01 + 21.74 + 3.26 as floats in a CHECK constraint.
@example(items=[(Decimal("0.01"), 1)], method="standard", pay="cod")
# Exactly at the free-delivery threshold, and VAT rounding a half halala up on a line.
@example(items=[(Decimal("260.87"), 1)], method="standard", pay="cod")
@example(items=[(Decimal("0.03"), 1), (Decimal("9999.99"), 20)], method="express", pay="card")
def test_every_total_agrees_to_the_halala(shopper, items, method, pay):
    CartLine.objects.filter(cart__user=shopper).delete()  # an earlier example's failure, if any
    variants = [shelf_variant(price=str(price), stock=50) for price, _quantity in items]
    cart = fill_cart(shopper, [(v, q) for v, (_p, q) in zip(variants, items, strict=True)])
    want = expected_totals(items, method)

    # The cart (lumeire.api.tests.test_price_figures checks the API's copies).
    summary = cart_summary(cart)
    by_sku = {priced.line.variant.sku: priced for priced in summary.lines}
    assert [by_sku[v.sku].unit_price for v in variants] == want["units"]
    assert [by_sku[v.sku].line_total for v in variants] == want["lines"]
    assert (summary.subtotal, summary.total, summary.vat) == (
        want["goods"],
        want["goods"],
        vat_in(want["goods"]),
    )

    # The checkout review, then what is placed and charged.
    review = cart_checkout_totals(summary, shipping_method_get(method))
    assert (review.subtotal, review.shipping, review.discount, review.total, review.vat) == (
        want["goods"],
        want["shipping"],
        ZERO,
        want["total"],
        want["vat"],
    )
    order = place(
        shopper,
        cart=customer_cart(shopper),
        method=method,
        pay=pay,
        token=(card_token() if pay == "card" else ""),
    ).order
    order.refresh_from_db()
    assert (order.goods, order.shipping_gross, order.total, order.vat) == (
        want["goods"],
        want["shipping"],
        want["total"],
        want["vat"],
    )
    assert order.subtotal + order.shipping + order.vat == order.total
    assert order.shipping_vat == vat_in(want["shipping"])
    by_variant = {line.variant_id: line for line in order.lines.all()}
    assert [by_variant[v.pk].unit_gross for v in variants] == want["units"]
    assert [by_variant[v.pk].gross for v in variants] == want["lines"]
    assert all(line.vat == vat_in(line.gross) for line in by_variant.values())
    if pay == "card":
        charge = TestGatewayCharge.objects.get(reference=order.payment_reference)
        assert charge.amount == charge.captured_amount == want["total"]

    # The invoice and its QR code.
    document = order_invoice_document(order, "en")
    qr = tlv_decode(document.qr_payload())
    assert document.prices_include_vat
    assert [(line.unit_price, line.gross) for line in document.lines] == [
        (line.unit_gross, line.gross) for line in order.lines.all()
    ]
    assert all(line.unit_price * line.quantity == line.gross for line in document.lines)
    assert (document.goods, document.shipping_gross) == (want["goods"], want["shipping"])
    assert (document.total, document.vat_total) == (want["total"], want["vat"])
    assert document.subtotal + document.shipping_net + document.vat_total == want["total"]
    assert (qr[TOTAL_WITH_VAT], qr[VAT_TOTAL]) == (f"{want['total']:.2f}", f"{want['vat']:.2f}")


# The three carts: the shown unit price × quantity was a halala off the line.
@pytest.mark.parametrize(
    ("net", "quantity", "unit", "line"),
    [
        ("377.95", 2, "434.64", "869.28"),  # the cart showed 869.29
        ("926.95", 3, "1065.99", "3197.97"),  # 3,197.98
        ("347.95", 6, "400.14", "2400.84"),  # charged 2,400.86
    ],
)
def test_the_shown_unit_price_times_the_quantity_is_the_line(shopper, net, quantity, unit, line):
    variant = shelf_variant(price=net, stock=50)
    summary = cart_summary(fill_cart(shopper, [(variant, quantity)]))
    [priced] = summary.lines
    assert (priced.unit_price, priced.line_total) == (Decimal(unit), Decimal(line))
    assert summary.total == Decimal(line)
    review = cart_checkout_totals(summary, shipping_method_get("standard"))
    assert review.total == Decimal(line)  # delivery is free from 300.00
    order = place(shopper, cart=customer_cart(shopper), pay="card", token=card_token()).order
    charge = TestGatewayCharge.objects.get(reference=order.payment_reference)
    assert charge.captured_amount == order.total == Decimal(line)
    [invoiced] = order_invoice_document(order, "en").lines
    assert (invoiced.unit_price, invoiced.gross) == (Decimal(unit), Decimal(line))


@given(
    goods=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999999.99"), places=2),
    delivery=st.decimals(min_value=ZERO, max_value=Decimal("500.00"), places=2),
    discount=st.decimals(min_value=ZERO, max_value=Decimal("999999.99"), places=2),
)
def test_a_bill_adds_up_with_delivery_and_discounts(goods, delivery, discount):
    discount = min(discount, goods)
    bill = bill_of(goods, delivery, discount)
    assert bill.total == goods + delivery - discount
    assert bill.vat == vat_in(bill.total)
    assert bill.net + bill.vat == bill.total
    assert bill.goods_net + bill.delivery_net + bill.vat == bill.total
    assert bill.delivery_vat == vat_in(delivery)
