"""Erasure with orders and saved addresses: the orders stay as anonymous sales with their
totals and invoice numbers, and a raw read of every table finds nothing of the person.

Here rather than in lumeire/privacy/tests because it needs orders and checkout, which sit above
the privacy app in the layers."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.core import mail

from lumeire.accounts.models import ApiToken, RecoveryToken
from lumeire.accounts.tests.factories import identity_number, make_customer
from lumeire.audit.verification import verify_chain
from lumeire.cart.models import Cart
from lumeire.checkout.models import Address
from lumeire.core.tests.database import every_cell
from lumeire.orders.models import Order, PaymentMethod
from lumeire.orders.tests.factories import SHIPPING_ADDRESS, make_order, shelf_variant
from lumeire.privacy.erasure import erasure_carry_out
from lumeire.vault.fields import is_erased
from lumeire.vault.models import DataKey

pytestmark = pytest.mark.django_db


def test_orders_stay_as_anonymous_sales_and_nothing_leads_back_to_the_person():
    number = identity_number(9001)
    customer = make_customer(
        username="noura.q",
        email="noura.q@example.com",
        identity_number=number,
        full_name="Noura Al-Qahtani",
    )
    card_order = make_order(
        customer, [(shelf_variant(price="100.00"), 2)], payment=PaymentMethod.CARD
    )
    cod_order = make_order(customer, [(shelf_variant(price="40.00"), 1)])
    kept = {
        o.pk: (o.total, o.subtotal, o.vat, o.invoice_number, o.number)
        for o in (card_order, cod_order)
    }
    Address.objects.create(
        customer=customer, **{**SHIPPING_ADDRESS, "full_name": "Noura Al-Qahtani"}
    )
    Cart.objects.create(user=customer)
    mail.outbox.clear()

    assert erasure_carry_out(customer) is True

    assert [m.to for m in mail.outbox] == [["noura.q@example.com"]]
    cells = every_cell()
    needles = [
        "noura.q",
        "noura al-qahtani",
        number,
        SHIPPING_ADDRESS["phone"],
        SHIPPING_ADDRESS["phone"][4:],
        SHIPPING_ADDRESS["street"],
    ]
    for needle in needles:
        assert not any(needle.casefold() in cell for cell in cells), needle
    assert DataKey.objects.get(subject_id=customer.pk).wrapped_key is None
    orders = Order.objects.filter(customer=customer)
    assert {o.pk: (o.total, o.subtotal, o.vat, o.invoice_number, o.number) for o in orders} == kept
    for order in orders:
        assert is_erased(order.full_name) and is_erased(order.street) and is_erased(order.phone)
        assert order.card_last4 == "" and order.card_token == ""
    assert not Address.objects.filter(customer=customer).exists()
    assert not Cart.objects.filter(user=customer).exists()
    assert not ApiToken.objects.filter(user=customer).exists()
    assert not RecoveryToken.objects.filter(user=customer).exists()
    assert not Session.objects.filter(session_data__contains=str(customer.pk)).exists()
    again = make_customer(email="noura.q@example.com", identity_number=number)
    assert again.pk != customer.pk
    assert verify_chain().broken_at is None
