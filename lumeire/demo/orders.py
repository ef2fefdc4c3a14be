"""Two orders for the demo customer, placed through the real checkout so "My orders" has a story:
one paid by the test card and on its way, one cash on delivery waiting to be packed."""

from __future__ import annotations

from django.core import mail
from django.test.utils import override_settings

from lumeire.accounts.selectors import user_by_login
from lumeire.cart.services import cart_add, customer_cart
from lumeire.catalog.models import Variant
from lumeire.checkout.addresses import parse_address
from lumeire.checkout.services import order_place, parse_payment
from lumeire.demo.accounts import DEMO_USERNAME
from lumeire.orders.models import Order, OrderStatus
from lumeire.orders.services import order_transition
from lumeire.payments.services import card_tokenise

DEMO_ADDRESS = {
    "full_name": "Demo Customer",
    "phone": "0500000000",
    "city": "Riyadh",
    "district": "Al Olaya",
    "street": "Olaya Street",
    "building": "7",
    "postal_code": "12211",
    "country": "SA",
}


def _place(customer, skus: list[str], payment, key: str) -> Order:
    cart = customer_cart(customer)
    for sku in skus:
        cart_add(cart=cart, sku=sku, quantity=1)
    return order_place(
        customer=customer,
        cart=cart,
        address=parse_address(DEMO_ADDRESS),
        shipping_method="standard",
        payment=payment,
        idempotency_key=key,
    ).order


def load_demo_orders() -> str:
    """Place the demo orders unless the demo customer has some already."""
    customer = user_by_login(DEMO_USERNAME)
    if customer is None:
        return "no demo customer"
    if Order.objects.filter(customer=customer).exists():
        return "demo orders already there"
    skus = list(
        Variant.objects.filter(stock__gt=2, is_active=True, product__is_listed=True)
        .filter(product__min_age__isnull=True)
        .order_by("id")
        .values_list("sku", flat=True)[:3]
    )
    if len(skus) < 3:
        return "not enough stock for demo orders"
    # The demo customer has no mailbox: its order emails stay in memory.
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        previous = getattr(mail, "outbox", None)
        try:
            token = card_tokenise(
                number="4242424242424242", exp_month=12, exp_year=2035, cvc="123"
            ).token
            card_order = _place(customer, skus[:2], parse_payment("card", token), "demo-order-1")
            order_transition(actor=None, order=card_order, to=OrderStatus.PACKED)
            order_transition(
                actor=None, order=card_order, to=OrderStatus.SHIPPED, tracking_number="DEMO123456"
            )
            _place(customer, skus[2:], parse_payment("cod"), "demo-order-2")
        finally:
            if previous is None:
                mail.__dict__.pop("outbox", None)
            else:
                mail.outbox = previous
    return "2 demo orders placed"
