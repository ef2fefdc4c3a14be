"""Checkout test data: products on the shelf, filled carts, card tokens and placed orders.

Everything goes through the real services (catalogue, cart, test gateway, checkout), so a test
that places an order places it exactly as the storefront and the API do.
"""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Iterable

from lumeire.cart.models import Cart
from lumeire.cart.services import cart_add, customer_cart
from lumeire.catalog.models import Variant
from lumeire.catalog.tests.factories import make_category, make_product
from lumeire.checkout.addresses import AddressInput, parse_address
from lumeire.checkout.services import Placement, order_place, parse_payment
from lumeire.payments.services import APPROVED_TEST_CARD, DECLINED_TEST_CARD, card_tokenise

APPROVED_CARD = APPROVED_TEST_CARD
DECLINED_CARD = DECLINED_TEST_CARD
# Four digits that appear nowhere else in the test data (not in a price, date or phone).
CARD_CVC = "7391"
ADDRESS = {
    "full_name": "Aisha Al-Harbi",
    "phone": "0501234567",
    "city": "Jeddah",
    "district": "Al Rawdah",
    "street": "Prince Sultan Road",
    "building": "4127",
    "postal_code": "12211",
    "country": "SA",
}
_serial = itertools.count(1)


def address(**overrides: str) -> AddressInput:
    """The valid test address, checked by the same parser the forms use."""
    return parse_address({**ADDRESS, **overrides})


def shelf_variant(
    *, price: str = "100.00", stock: int = 10, min_age: int | None = None, **values
) -> Variant:
    """A listed product with one variant, in a category of its own."""
    serial = next(_serial)
    product = make_product(
        category=make_category(),
        variants=[{"sku": f"CHK-{serial}", "price": price, "stock": stock}],
        min_age=min_age,
        **values,
    )
    return product.variants.get()


def fill_cart(customer, lines: Iterable[tuple[Variant, int]]) -> Cart:
    """The customer's cart with ``(variant, quantity)`` added through the cart service."""
    cart = customer_cart(customer)
    for variant, quantity in lines:
        cart_add(cart=cart, sku=variant.sku, quantity=quantity)
    return cart


def card_token(number: str = APPROVED_CARD) -> str:
    """A single-use token from the test gateway for ``number``, valid until 12/2030."""
    return card_tokenise(number=number, exp_month=12, exp_year=2030, cvc=CARD_CVC).token


def new_key() -> str:
    """A fresh idempotency key, as a client generates one per checkout."""
    return "test-" + secrets.token_hex(12)


def place(
    customer,
    *,
    cart: Cart | None = None,
    method: str = "standard",
    pay: str = "cod",
    token: str = "",
    key: str | None = None,
    to: AddressInput | None = None,
    language: str = "en",
    save_address: bool = True,
) -> Placement:
    """Place the customer's cart through ``order_place``, with the test address by default."""
    return order_place(
        customer=customer,
        cart=cart or customer_cart(customer),
        address=to or address(),
        shipping_method=method,
        payment=parse_payment(pay, token),
        idempotency_key=key or new_key(),
        save_address=save_address,
        language=language,
    )
