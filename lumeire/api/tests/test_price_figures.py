"""The API repeats the figures the shopper sees: shelf prices with VAT, lines that add up."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from lumeire.accounts.tests.factories import make_customer
from lumeire.api.v1.cart_schemas import CartOut
from lumeire.api.v1.order_schemas import OrderOut
from lumeire.cart.models import CartLine
from lumeire.cart.selectors import cart_summary
from lumeire.cart.services import customer_cart
from lumeire.checkout.tests.factories import fill_cart, place, shelf_variant
from lumeire.checkout.tests.test_totals import expected_totals, lines, vat_in

pytestmark = pytest.mark.django_db


def amount(value: Decimal) -> str:
    return f"{value:.2f}"


@pytest.fixture
def shopper():
    return make_customer()


@hypothesis_settings(max_examples=30)
@given(items=lines, method=st.sampled_from(["standard", "express"]))
def test_the_apis_cart_and_order_add_up_as_the_pages_do(shopper, items, method):
    CartLine.objects.filter(cart__user=shopper).delete()  # an earlier example's failure, if any
    variants = [shelf_variant(price=str(price), stock=50) for price, _quantity in items]
    cart = fill_cart(shopper, [(v, q) for v, (_p, q) in zip(variants, items, strict=True)])
    want = expected_totals(items, method)
    figures = zip(variants, want["units"], want["lines"], strict=True)
    by_sku = {v.sku: (unit, line) for v, unit, line in figures}

    shown = CartOut.of(cart_summary(cart))
    assert {line.sku: (line.unit_price.amount, line.line_total.amount) for line in shown.lines} == {
        sku: (amount(unit), amount(line)) for sku, (unit, line) in by_sku.items()
    }
    assert (shown.subtotal.amount, shown.total.amount, shown.vat.amount) == (
        amount(want["goods"]),
        amount(want["goods"]),
        amount(vat_in(want["goods"])),
    )

    order = place(shopper, cart=customer_cart(shopper), method=method).order
    out = OrderOut.of(order, timeline=[], cancellable=False, language="en")
    assert {line.sku: (line.unit_price.amount, line.total.amount) for line in out.lines} == {
        sku: (amount(unit), amount(line)) for sku, (unit, line) in by_sku.items()
    }
    assert all(
        Decimal(line.unit_price.amount) * line.quantity == Decimal(line.total.amount)
        and Decimal(line.net.amount) + Decimal(line.vat.amount) == Decimal(line.total.amount)
        for line in out.lines
    )
    assert (out.subtotal.amount, out.shipping.amount, out.total.amount, out.vat.amount) == (
        amount(want["goods"]),
        amount(want["shipping"]),
        amount(want["total"]),
        amount(want["vat"]),
    )
