"""One set of figures everywhere: the cart, the checkout review, the order, the invoice, the QR.

VAT is rounded half-up per line and on the delivery, then added; random carts check that every
place that shows a total shows the same one, to the halala.
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
from lumeire.invoicing.zatca import TOTAL_WITH_VAT, VAT_TOTAL, tlv_decode
from lumeire.orders.selectors import order_invoice_document
from lumeire.payments.models import TestGatewayCharge

pytestmark = pytest.mark.django_db

RATE = Decimal("0.15")
HALALA = Decimal("0.01")
prices = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999.99"), places=2)
lines = st.lists(st.tuples(prices, st.integers(min_value=1, max_value=20)), min_size=1, max_size=5)


def half_up(amount: Decimal) -> Decimal:
    return amount.quantize(HALALA, rounding=ROUND_HALF_UP)


def expected_totals(items: list[tuple[Decimal, int]], method: str) -> dict[str, Decimal]:
    """The figures as the spec states them, worked out here without the store's code."""
    nets = [half_up(price * quantity) for price, quantity in items]
    lines_vat = sum((half_up(net * RATE) for net in nets), Decimal("0.00"))
    subtotal = sum(nets, Decimal("0.00"))
    if method == "standard":
        shipping = (
            Decimal("0.00") if subtotal + lines_vat >= Decimal("300.00") else Decimal("21.74")
        )
    else:
        shipping = Decimal("43.48")
    vat = lines_vat + half_up(shipping * RATE)
    return {
        "subtotal": subtotal,
        "shipping": shipping,
        "vat": vat,
        "total": subtotal + shipping + vat,
        "line_nets": nets,
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

    summary = cart_summary(cart)
    review = cart_checkout_totals(summary, shipping_method_get(method))
    order = place(
        shopper,
        cart=customer_cart(shopper),
        method=method,
        pay=pay,
        token=(card_token() if pay == "card" else ""),
    ).order
    order.refresh_from_db()
    document = order_invoice_document(order, "en")
    qr = tlv_decode(document.qr_payload())

    assert (summary.subtotal, summary.vat) == (
        want["subtotal"],
        want["vat"] - half_up(want["shipping"] * RATE),
    )
    assert (review.subtotal, review.shipping, review.vat, review.total) == (
        want["subtotal"],
        want["shipping"],
        want["vat"],
        want["total"],
    )
    assert (order.subtotal, order.shipping, order.vat, order.total) == (
        want["subtotal"],
        want["shipping"],
        want["vat"],
        want["total"],
    )
    assert order.shipping_vat == half_up(want["shipping"] * RATE)
    by_variant = {line.variant_id: line for line in order.lines.all()}
    assert [by_variant[v.pk].net for v in variants] == want["line_nets"]
    assert [by_variant[v.pk].vat for v in variants] == [
        half_up(n * RATE) for n in want["line_nets"]
    ]
    assert sum(line.net for line in by_variant.values()) == order.subtotal
    assert sum(line.vat for line in by_variant.values()) + order.shipping_vat == order.vat
    assert (document.subtotal, document.shipping_net, document.vat_total, document.total) == (
        want["subtotal"],
        want["shipping"],
        want["vat"],
        want["total"],
    )
    assert sum(line.gross for line in document.lines) + document.shipping_gross == want["total"]
    assert (qr[TOTAL_WITH_VAT], qr[VAT_TOTAL]) == (f"{want['total']:.2f}", f"{want['vat']:.2f}")
    if pay == "card":
        charge = TestGatewayCharge.objects.get(reference=order.payment_reference)
        assert charge.amount == charge.captured_amount == want["total"]
