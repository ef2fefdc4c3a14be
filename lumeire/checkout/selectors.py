"""What checkout shows before anything is placed: delivery options, totals, saved addresses."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError

from lumeire.cart.selectors import CartSummary
from lumeire.checkout.models import Address, ShippingMethod
from lumeire.core.money import round_money, vat_on


@dataclass(frozen=True)
class CheckoutTotals:
    """What the customer pays: lines and shipping before VAT, VAT per line, and the total."""

    subtotal: Decimal
    shipping: Decimal
    shipping_vat: Decimal
    vat: Decimal
    total: Decimal


def shipping_methods() -> list[ShippingMethod]:
    """The delivery options offered now, in the staff's order."""
    return list(ShippingMethod.objects.filter(is_active=True).order_by("position", "id"))


def shipping_method_get(code: object) -> ShippingMethod | None:
    return ShippingMethod.objects.filter(code=str(code or "")[:32], is_active=True).first()


def shipping_price(method: ShippingMethod, goods_with_vat: Decimal) -> Decimal:
    """The method's net price, or nothing when the goods reach its free-delivery threshold."""
    if method.free_above is not None and goods_with_vat >= method.free_above:
        return Decimal("0.00")
    return round_money(method.price)


def checkout_totals(*, subtotal: Decimal, lines_vat: Decimal, method: ShippingMethod):
    """Totals from the cart's net subtotal and VAT; shipping taxed like any line."""
    shipping = shipping_price(method, subtotal + lines_vat)
    shipping_vat = vat_on(shipping)
    vat = lines_vat + shipping_vat
    return CheckoutTotals(subtotal, shipping, shipping_vat, vat, subtotal + shipping + vat)


def cart_checkout_totals(summary: CartSummary, method: ShippingMethod) -> CheckoutTotals:
    return checkout_totals(subtotal=summary.subtotal, lines_vat=summary.vat, method=method)


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
