"""The cart as a shopper sees it: lines priced from the catalogue now, VAT per line."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from lumeire.cart.models import Cart, CartLine
from lumeire.core.money import round_money, vat_on
from lumeire.core.tokens import secret_hash


@dataclass(frozen=True)
class PricedLine:
    line: CartLine
    unit_price: Decimal
    line_total: Decimal
    line_vat: Decimal
    available: int


@dataclass(frozen=True)
class CartSummary:
    cart: Cart | None
    lines: list[PricedLine]
    subtotal: Decimal
    vat: Decimal
    total: Decimal

    @property
    def item_count(self) -> int:
        return sum(priced.line.quantity for priced in self.lines)


EMPTY = Decimal("0.00")


def cart_summary(cart: Cart | None) -> CartSummary:
    """Price every line from the catalogue: net unit price, net line, VAT rounded per line."""
    if cart is None:
        return CartSummary(None, [], EMPTY, EMPTY, EMPTY)
    lines = []
    for line in cart.lines.select_related("variant__product").order_by("added_at", "id"):
        unit = line.variant.price
        net = round_money(unit * line.quantity)
        lines.append(PricedLine(line, unit, net, vat_on(net), line.variant.stock))
    subtotal = sum((p.line_total for p in lines), EMPTY)
    vat = sum((p.line_vat for p in lines), EMPTY)
    return CartSummary(cart, lines, subtotal, vat, subtotal + vat)


def cart_of_user(user) -> Cart | None:
    return Cart.objects.filter(user=user).first()


def cart_by_token(raw: str | None) -> Cart | None:
    if not raw or len(raw) > 200:
        return None
    return Cart.objects.filter(token_hash=secret_hash(raw), user__isnull=True).first()


def cart_by_id(cart_id: object) -> Cart | None:
    try:
        return Cart.objects.filter(pk=cart_id, user__isnull=True).first()
    except (ValueError, TypeError):
        return None
