"""A charge taken by a provider outside the database is refunded when its order is not kept."""

from __future__ import annotations

import logging
from decimal import Decimal

import pytest

from lumeire.accounts.tests.factories import make_customer
from lumeire.checkout.tests import remote_gateway
from lumeire.checkout.tests.factories import fill_cart, place, shelf_variant
from lumeire.orders.models import Order

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def remote(settings, monkeypatch):
    settings.LUMEIRE_CARD_GATEWAY = "lumeire.checkout.tests.remote_gateway.RemoteGateway"
    monkeypatch.setattr(remote_gateway, "calls", [])
    monkeypatch.setattr(remote_gateway, "refund_fails", False)
    return remote_gateway


class Injected(Exception):
    """A failure after the money was taken."""


def _fail(*args, **kwargs):
    raise Injected


def test_a_kept_order_keeps_its_charge(remote):
    customer = make_customer()
    fill_cart(customer, [(shelf_variant(price="10.00"), 1)])

    order = place(customer, pay="card", token="tok_remote").order

    assert [call[0] for call in remote.calls] == ["authorise", "capture"]
    assert (order.payment_gateway, order.card_brand, order.card_last4) == ("remote", "mada", "0019")


def test_an_order_lost_after_the_capture_is_refunded_in_full(remote, monkeypatch):
    customer = make_customer()
    fill_cart(customer, [(shelf_variant(price="10.00"), 3)])
    monkeypatch.setattr("lumeire.checkout.services.next_invoice_number", _fail)

    with pytest.raises(Injected):
        place(customer, pay="card", token="tok_remote")

    charge = remote.calls[0][1]
    # 30.00 + 4.50 VAT + 21.74 delivery + 3.26 VAT
    total = Decimal("59.50")
    assert remote.calls[1:] == [("capture", charge, total), ("refund", charge, total)]
    assert Order.objects.count() == 0


def test_a_refund_that_fails_too_is_logged_and_the_first_error_raised(remote, monkeypatch, caplog):
    customer = make_customer()
    fill_cart(customer, [(shelf_variant(price="10.00"), 1)])
    monkeypatch.setattr("lumeire.checkout.services.order_event_add", _fail)
    monkeypatch.setattr(remote_gateway, "refund_fails", True)

    with caplog.at_level(logging.WARNING), pytest.raises(Injected):
        place(customer, pay="card", token="tok_remote")

    [record] = [r for r in caplog.records if r.name == "lumeire.checkout.services"]
    assert record.levelname == "ERROR"
    assert record.getMessage() == "checkout: charge of an order not kept was not refunded"
    assert (record.charge, record.failure) == (remote.calls[0][1], "ConnectionError")
