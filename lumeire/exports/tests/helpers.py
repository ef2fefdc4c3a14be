"""Customers with data in every part of the store, and reading an export's zip."""

from __future__ import annotations

import io
import itertools
import json
import zipfile
from typing import Any

from lumeire.accounts.models import User
from lumeire.accounts.tests.factories import make_customer
from lumeire.audit.models import AuditAction, RevealReason
from lumeire.audit.services import audit_record
from lumeire.cart.services import cart_add, customer_cart
from lumeire.catalog.tests.factories import make_category, make_product
from lumeire.checkout.addresses import parse_address
from lumeire.checkout.services import order_place, parse_payment
from lumeire.orders.models import Order
from lumeire.payments.services import card_tokenise
from lumeire.staff.services import staff_create

_serial = itertools.count(1)


def place_card_order(customer: User, *, shipping_name: str, street: str) -> Order:
    """A card order, as checkout places it: it also saves the address and a payment attempt."""
    product = make_product(category=make_category(), price="120.00", stock=5)
    cart = customer_cart(customer)
    cart_add(cart=cart, sku=product.variants.get().sku, quantity=2)
    token = card_tokenise(number="4242424242424242", exp_month=12, exp_year=2030, cvc="123").token
    address = {
        "full_name": shipping_name,
        "phone": "0501234567",
        "city": "Jeddah",
        "district": "Al Rawdah",
        "street": street,
        "building": "4127",
        "postal_code": "12211",
        "country": "SA",
    }
    return order_place(
        customer=customer,
        cart=cart,
        address=parse_address(address),
        shipping_method="standard",
        payment=parse_payment("card", token),
        idempotency_key=f"export-test-{next(_serial):06d}",
    ).order


def staff_reveal_of(customer: User) -> User:
    """A customer-service agent who looked at the customer's email, as the back office records."""
    serial = next(_serial)
    agent = staff_create(
        username=f"agent{serial}",
        email=f"agent{serial}@staff.example.com",
        password="a long staff password for tests",
        groups=["Customer service"],
    )
    audit_record(
        actor=agent,
        action=AuditAction.REVEAL,
        target_type="accounts.user",
        target_id=str(customer.pk),
        subject_id=customer.pk,
        fields=["email"],
        reason_category=RevealReason.ORDER_SUPPORT,
        reason="customer called about an order",
    )
    return agent


def full_customer(**overrides: Any) -> tuple[User, Order]:
    customer = make_customer(**overrides)
    order = place_card_order(
        customer, shipping_name=f"Shipping {customer.customer.full_name}", street="Tahlia Street"
    )
    return customer, order


def read_zip(content: bytes) -> tuple[dict[str, Any], str, str]:
    """``(data, data.json text, index.html text)`` of an export."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert sorted(archive.namelist()) == ["data.json", "index.html"]
        text = archive.read("data.json").decode()
        html = archive.read("index.html").decode()
    return json.loads(text), text, html
