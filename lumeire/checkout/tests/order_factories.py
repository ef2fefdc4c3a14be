"""Orders for the back office tests, placed the way a customer places them: through checkout."""

from __future__ import annotations

import itertools

from lumeire.accounts.models import User
from lumeire.accounts.tests.factories import make_customer
from lumeire.cart.services import cart_add, customer_cart
from lumeire.catalog.tests.factories import make_category, make_product
from lumeire.checkout.addresses import parse_address
from lumeire.checkout.services import order_place, parse_payment
from lumeire.orders.models import Order
from lumeire.payments.services import card_tokenise

APPROVED_CARD = "4242424242424242"
SHIPPING_NAME = "Aisha Al-Harbi"
SHIPPING_PHONE = "0501234567"
STREET = "King Fahd Road"
_serial = itertools.count(1)


def address_data(**overrides: str) -> dict[str, str]:
    return {
        "full_name": SHIPPING_NAME,
        "phone": SHIPPING_PHONE,
        "city": "Jeddah",
        "district": "Al Rawdah",
        "street": STREET,
        "building": "4127",
        "postal_code": "12211",
        "country": "SA",
        **overrides,
    }


def place_order(
    *,
    customer: User | None = None,
    payment: str = "cod",
    price: str = "100.00",
    quantity: int = 2,
    stock: int = 10,
    product_name: str = "Amber Oud Candle",
) -> Order:
    """A customer's order of one product, cash on delivery or by an approved test card."""
    customer = customer or make_customer()
    product = make_product(category=make_category(), price=price, stock=stock, name_en=product_name)
    cart = customer_cart(customer)
    cart_add(cart=cart, sku=product.variants.get().sku, quantity=quantity)
    token = ""
    if payment == "card":
        token = card_tokenise(number=APPROVED_CARD, exp_month=12, exp_year=2030, cvc="123").token
    placement = order_place(
        customer=customer,
        cart=cart,
        address=parse_address(address_data()),
        shipping_method="standard",
        payment=parse_payment(payment, token),
        idempotency_key=f"backoffice-test-{next(_serial):06d}",
    )
    return placement.order
