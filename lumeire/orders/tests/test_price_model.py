"""Orders placed before shelf prices included VAT keep the invoice they were issued."""

from __future__ import annotations

from decimal import Decimal

import pytest

from lumeire.accounts.tests.factories import make_customer
from lumeire.invoicing.html import invoice_html
from lumeire.invoicing.pdf import invoice_pdf
from lumeire.orders.models import Order
from lumeire.orders.selectors import order_invoice_document
from lumeire.orders.tests.factories import make_order, shelf_variant

pytestmark = pytest.mark.django_db


def test_a_new_orders_invoice_shows_shelf_prices_with_vat_and_the_vat_of_the_total():
    variant = shelf_variant(price="377.95")
    order = Order.objects.get(pk=make_order(make_customer(), [(variant, 2)]).pk)
    [line] = order.lines.all()
    assert (line.unit_gross, line.gross) == (Decimal("434.64"), Decimal("869.28"))

    document = order_invoice_document(order, "en")

    assert document.prices_include_vat
    [invoiced] = document.lines
    assert (invoiced.unit_price, invoiced.gross) == (Decimal("434.64"), Decimal("869.28"))
    assert document.total == Decimal("894.28")  # 869.28 + 25.00 delivery
    assert document.vat_total == Decimal("116.65")  # 894.28 × 15/115, rounded once
    assert invoice_pdf(document).startswith(b"%PDF")
    assert "Unit price with VAT" in invoice_html(document)


def test_an_order_placed_before_keeps_its_vat_per_line():
    order = make_order(make_customer(), [(shelf_variant(price="100.00"), 1)])
    Order.objects.filter(pk=order.pk).update(prices_include_vat=False)
    order.lines.update(unit_gross=None)
    order = Order.objects.get(pk=order.pk)

    document = order_invoice_document(order, "en")

    assert not document.prices_include_vat
    [invoiced] = document.lines
    assert (invoiced.unit_price, invoiced.net, invoiced.vat) == (
        Decimal("100.00"),
        Decimal("100.00"),
        Decimal("15.00"),
    )
    assert order.lines.get().shown_unit_price == Decimal("115.00")
    assert (document.vat_total, document.total) == (Decimal("18.26"), Decimal("140.00"))
    assert "Unit price before VAT" in invoice_html(document)
    assert invoice_pdf(document).startswith(b"%PDF")
