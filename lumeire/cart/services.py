"""Cart changes: every one checks stock, and a refused change leaves the cart as it was."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lumeire.cart.errors import CartError, CartErrorCode, CartLineMissing
from lumeire.cart.models import Cart, CartLine
from lumeire.catalog.models import Variant
from lumeire.catalog.selectors import variant_for_sale
from lumeire.core.tokens import new_secret, secret_hash

MAX_QUANTITY = 999


def parse_quantity(raw: object) -> int:
    """A quantity from 1 to 999, or a clear refusal (0, negatives and non-numbers included)."""
    try:
        quantity = int(str(raw).strip())
    except (TypeError, ValueError):
        quantity = 0
    if isinstance(raw, bool) or not 1 <= quantity <= MAX_QUANTITY:
        message = _("Enter a quantity from 1 to %(max)d.") % {"max": MAX_QUANTITY}
        raise CartError(
            CartErrorCode.INVALID_QUANTITY, message, field_errors={"quantity": [message]}
        )
    return quantity


def _not_enough(variant: Variant) -> CartError:
    if variant.stock == 0:
        message = _("Sorry, this is out of stock.")
    else:
        message = ngettext("Only %(count)d left.", "Only %(count)d left.", variant.stock) % {
            "count": variant.stock
        }
    return CartError(
        CartErrorCode.NOT_ENOUGH_STOCK,
        message,
        field_errors={"quantity": [message]},
    )


def guest_cart_create() -> tuple[Cart, str]:
    """A new guest cart and the raw token the API client keeps (only its hash is stored)."""
    raw = "cart_" + new_secret()
    return Cart.objects.create(token_hash=secret_hash(raw)), raw


def customer_cart(user) -> Cart:
    """The customer's cart, created on first use."""
    cart, _created = Cart.objects.get_or_create(user=user)
    return cart


@transaction.atomic
def cart_add(*, cart: Cart, sku: str, quantity: object) -> CartLine:
    """Add ``quantity`` of a variant; the line's total may not exceed the stock."""
    amount = parse_quantity(quantity)
    variant = variant_for_sale(str(sku or "").strip())
    if variant is None:
        message = _("This product is not available.")
        raise CartError(CartErrorCode.UNKNOWN_SKU, message, field_errors={"sku": [message]})
    line = CartLine.objects.select_for_update().filter(cart=cart, variant=variant).first()
    wanted = amount + (line.quantity if line else 0)
    if wanted > variant.stock:
        raise _not_enough(variant)
    if line is None:
        line = CartLine.objects.create(cart=cart, variant=variant, quantity=wanted)
    else:
        line.quantity = wanted
        line.save(update_fields=["quantity"])
    cart.save(update_fields=["updated_at"])
    return line


def _line_of(cart: Cart, line_id: object) -> CartLine:
    try:
        line = (
            CartLine.objects.select_for_update()
            .select_related("variant")
            .filter(cart=cart, pk=int(str(line_id)))
            .first()
        )
    except ValueError:
        line = None
    if line is None:
        raise CartLineMissing(CartErrorCode.UNKNOWN_LINE, _("This line is not in your cart."))
    return line


@transaction.atomic
def cart_set_quantity(*, cart: Cart, line_id: object, quantity: object) -> CartLine:
    """Change a line's quantity (1 or more; removing is its own action)."""
    amount = parse_quantity(quantity)
    line = _line_of(cart, line_id)
    if amount > line.variant.stock:
        raise _not_enough(line.variant)
    line.quantity = amount
    line.save(update_fields=["quantity"])
    return line


@transaction.atomic
def cart_remove(*, cart: Cart, line_id: object) -> None:
    """Take a line out of the cart."""
    _line_of(cart, line_id).delete()


@transaction.atomic
def cart_merge(*, guest: Cart | None, user) -> Cart:
    """At sign-in, move a guest cart into the customer's: quantities add, capped by stock."""
    target = customer_cart(user)
    if guest is None or guest.pk == target.pk or guest.user_id is not None:
        return target
    for line in guest.lines.select_related("variant"):
        existing = (
            CartLine.objects.select_for_update().filter(cart=target, variant=line.variant).first()
        )
        total = min(line.quantity + (existing.quantity if existing else 0), line.variant.stock)
        if existing is not None:
            existing.quantity = total
            existing.save(update_fields=["quantity"])
        elif total > 0:
            CartLine.objects.create(cart=target, variant=line.variant, quantity=total)
    guest.delete()
    return target
