"""What checkout shows before anything is placed: delivery options, totals, saved addresses."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError

from lumeire.cart.selectors import CartSummary
from lumeire.checkout.models import Address, ShippingMethod
from lumeire.core.money import bill_of, gross_price


@dataclass(frozen=True)
class CheckoutTotals:
    """What the customer pays, every amount VAT included, and the VAT the total contains.

    ``subtotal`` (the lines) + ``shipping`` - ``discount`` = ``total``; ``vat`` is worked out
    from the total once, as the invoice states it. ``shipping_vat`` is the delivery's share of
    it and ``net``/``shipping_net``/``subtotal_net`` the amounts before VAT the order keeps.
    """

    subtotal: Decimal
    shipping: Decimal
    discount: Decimal
    vat: Decimal
    total: Decimal
    shipping_vat: Decimal

    @property
    def net(self) -> Decimal:
        return self.total - self.vat

    @property
    def shipping_net(self) -> Decimal:
        return self.shipping - self.shipping_vat

    @property
    def subtotal_net(self) -> Decimal:
        """The goods less discounts, before VAT."""
        return self.net - self.shipping_net


def shipping_methods() -> list[ShippingMethod]:
    """The delivery options offered now, in the staff's order."""
    return list(ShippingMethod.objects.filter(is_active=True).order_by("position", "id"))


def shipping_method_get(code: object) -> ShippingMethod | None:
    return ShippingMethod.objects.filter(code=str(code or "")[:32], is_active=True).first()


def shipping_price(method: ShippingMethod, goods_with_vat: Decimal) -> Decimal:
    """The method's price as shown (VAT included), or nothing when the goods reach its
    free-delivery threshold."""
    if method.free_above is not None and goods_with_vat >= method.free_above:
        return Decimal("0.00")
    return gross_price(method.price)


def checkout_totals(
    *, goods: Decimal, method: ShippingMethod, discount: Decimal = Decimal("0.00")
) -> CheckoutTotals:
    """Totals from the lines' sum (VAT included) and the delivery; VAT taken from the total."""
    bill = bill_of(goods, shipping_price(method, goods), discount)
    return CheckoutTotals(
        bill.goods, bill.delivery, bill.discount, bill.vat, bill.total, bill.delivery_vat
    )


def cart_checkout_totals(summary: CartSummary, method: ShippingMethod) -> CheckoutTotals:
    return checkout_totals(goods=summary.subtotal, method=method)


SAVED_ADDRESSES_OFFERED = 10


def saved_addresses(customer, *, limit: int | None = SAVED_ADDRESSES_OFFERED) -> list[Address]:
    """The customer's saved addresses, most recently used first (``limit=None``: all of them)."""
    found = Address.objects.filter(customer=customer).order_by("-last_used_at", "-id")
    return list(found if limit is None else found[:limit])


def saved_address_get(*, customer, address_id: object) -> Address | None:
    try:
        return Address.objects.filter(customer=customer, pk=str(address_id)).first()
    except (ValueError, TypeError, ValidationError):
        return None
