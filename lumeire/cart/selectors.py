"""The cart as a shopper sees it: shelf prices with VAT included, the VAT taken from the total."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from lumeire.cart.models import Cart, CartLine
from lumeire.core.money import bill_of, gross_price, line_price
from lumeire.core.tokens import secret_hash


@dataclass(frozen=True)
class PricedLine:
    line: CartLine
    unit_price: Decimal  # the shelf price, VAT included, as shown
    line_total: Decimal  # unit_price × quantity, VAT included
    available: int


@dataclass(frozen=True)
class CartSummary:
    cart: Cart | None
    lines: list[PricedLine]
    subtotal: Decimal  # the lines, VAT included
    vat: Decimal  # the VAT the subtotal includes
    total: Decimal

    @property
    def item_count(self) -> int:
        return sum(priced.line.quantity for priced in self.lines)


EMPTY = Decimal("0.00")


def cart_summary(cart: Cart | None) -> CartSummary:
    """Price every line from the catalogue: shelf price × quantity; VAT from the total, once."""
    if cart is None:
        return CartSummary(None, [], EMPTY, EMPTY, EMPTY)
    lines = []
    for line in cart.lines.select_related("variant__product").order_by("added_at", "id"):
        unit = gross_price(line.variant.price)
        lines.append(PricedLine(line, unit, line_price(unit, line.quantity), line.variant.stock))
    bill = bill_of(sum((p.line_total for p in lines), EMPTY))
    return CartSummary(cart, lines, bill.goods, bill.vat, bill.total)


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
