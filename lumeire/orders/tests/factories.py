"""Orders for tests, built as the checkout builds them but without it (orders sit below checkout).

``make_order`` takes the stock, snapshots the lines, numbers the order and its invoice, takes a
card payment through the test gateway when asked, and records the first event; ``at_status``
then puts the order where a test needs it to start.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import Group
from django.db.models import F
from django.utils import timezone

from lumeire.accounts.models import AccountKind, User
from lumeire.catalog.models import Variant
from lumeire.catalog.tests.factories import make_category, make_product
from lumeire.core.money import bill_of, gross_price, line_price, vat_included
from lumeire.orders.models import (
    Order,
    OrderLine,
    OrderStatus,
    PaymentMethod,
    PaymentStatus,
)
from lumeire.orders.services import new_order_number, next_invoice_number, order_event_add
from lumeire.payments.gateway import card_gateway
from lumeire.payments.services import card_tokenise
from lumeire.staff.access import GROUP_OF_ROLE
from lumeire.staff.roles import Role

SHIPPING_ADDRESS = {
    "full_name": "Aisha Al-Harbi",
    "phone": "+966501234567",
    "city": "Riyadh",
    "district": "Al Olaya",
    "street": "Tahlia Street",
    "building": "7",
    "postal_code": "12211",
    "country": "SA",
}
_serial = itertools.count(1)


def shelf_variant(*, price: str = "100.00", stock: int = 10, **values) -> Variant:
    serial = next(_serial)
    product = make_product(
        category=make_category(),
        variants=[{"sku": f"ORD-{serial}", "price": price, "stock": stock}],
        **values,
    )
    return product.variants.get()


def make_order(
    customer,
    lines: Iterable[tuple[Variant, int]] = (),
    *,
    payment: str = PaymentMethod.CASH_ON_DELIVERY,
    shipping: str = "21.74",
    language: str = "en",
) -> Order:
    """A placed order: stock taken, lines priced, a card charged and captured if ``card``."""
    lines = list(lines) or [(shelf_variant(), 1)]
    order = Order(
        number=new_order_number(),
        customer=customer,
        language=language,
        currency=settings.LUMEIRE_CURRENCY,
        shipping_method_code="standard",
        shipping_method_name_en="Standard delivery",
        shipping_method_name_ar="توصيل عادي",
        payment_method=payment,
        status=OrderStatus.PENDING_PAYMENT,
        payment_status=PaymentStatus.DUE_ON_DELIVERY,
        invoice_number=next_invoice_number(timezone.localdate().year),
        subtotal=Decimal("0.00"),
        shipping=Decimal("0.00"),
        shipping_vat=Decimal("0.00"),
        vat=Decimal("0.00"),
        total=Decimal("0.00"),
        **SHIPPING_ADDRESS,
    )
    order.save()
    goods = Decimal("0.00")
    for variant, quantity in lines:
        assert Variant.objects.filter(pk=variant.pk, stock__gte=quantity).update(
            stock=F("stock") - quantity
        )
        # Priced as checkout prices it: shelf price with VAT × quantity, VAT taken from it.
        unit_gross = gross_price(variant.price)
        gross = line_price(unit_gross, quantity)
        goods += gross
        OrderLine.objects.create(
            order=order,
            variant=variant,
            product=variant.product,
            sku=variant.sku,
            name_en=variant.product.name_en,
            name_ar=variant.product.name_ar,
            options=variant.options,
            unit_price=variant.price,
            unit_gross=unit_gross,
            quantity=quantity,
            net=gross - vat_included(gross),
            vat=vat_included(gross),
        )
    bill = bill_of(goods, gross_price(Decimal(shipping)))
    order.subtotal, order.shipping = bill.goods_net, bill.delivery_net
    order.shipping_vat, order.vat, order.total = bill.delivery_vat, bill.vat, bill.total
    if payment == PaymentMethod.CARD:
        token = card_tokenise(number="4242424242424242", exp_month=12, exp_year=2030, cvc="555")
        gateway = card_gateway()
        result = gateway.authorise(
            card_token=token.token, amount=order.total, currency="SAR", reference=order.number
        )
        gateway.capture(authorisation=result.reference, amount=order.total)
        order.status, order.payment_status = OrderStatus.PAID, PaymentStatus.CAPTURED
        order.payment_gateway, order.payment_reference = gateway.code, result.reference
        order.card_token, order.card_brand, order.card_last4 = token.token, "visa", "4242"
    order.save()
    order_event_add(order=order, actor=customer, from_status="", to_status=order.status)
    return order


# What the payment looks like once an order has reached a status by the usual road.
_PAYMENT_AT = {
    PaymentMethod.CARD: {
        OrderStatus.CANCELLED: PaymentStatus.REFUNDED,
        OrderStatus.REFUNDED: PaymentStatus.REFUNDED,
    },
    PaymentMethod.CASH_ON_DELIVERY: {
        OrderStatus.PAID: PaymentStatus.COLLECTED,
        OrderStatus.DELIVERED: PaymentStatus.COLLECTED,
        OrderStatus.CANCELLED: PaymentStatus.VOIDED,
    },
}


def at_status(order: Order, status: str) -> Order:
    """Put the order at ``status`` directly (no event, no effect), as a test's starting point."""
    default = order.payment_status
    payment_status = _PAYMENT_AT[PaymentMethod(order.payment_method)].get(status, default)
    tracking = "TRK123456" if status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED) else ""
    Order.objects.filter(pk=order.pk).update(
        status=status, payment_status=payment_status, tracking_number=tracking
    )
    order.refresh_from_db()
    return order


def make_staff(*roles: Role) -> User:
    """A staff account holding ``roles`` (their groups) and nothing else."""
    serial = next(_serial)
    user = User(kind=AccountKind.STAFF, username=f"orderstaff{serial}")
    user.email = f"orderstaff{serial}@example.com"
    user.set_unusable_password()
    user.save()
    user.groups.set(Group.objects.filter(name__in=[GROUP_OF_ROLE[role] for role in roles]))
    return User.objects.get(pk=user.pk)  # a fresh instance: no cached roles
