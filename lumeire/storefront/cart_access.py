"""Which cart a web shopper has: a guest's is found by the id kept in the session, a customer's
by their account.

A guest gets a cart only when a first line is accepted, so browsing and refused additions
never create one.
"""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest

from lumeire.cart.models import Cart, CartLine
from lumeire.cart.selectors import CartSummary, cart_by_id, cart_of_user, cart_summary
from lumeire.cart.services import cart_add, cart_merge, customer_cart, guest_cart_create

SESSION_CART_KEY = "cart_id"
_SUMMARY_ATTRIBUTE = "_lumeire_cart_summary"


def shopper_cart(request: HttpRequest) -> Cart | None:
    """The cart of whoever is browsing, or None when they have none yet."""
    if request.user.is_authenticated:
        return cart_of_user(request.user)
    cart_id = request.session.get(SESSION_CART_KEY)
    return cart_by_id(cart_id) if cart_id else None


def shopper_cart_summary(request: HttpRequest) -> CartSummary:
    """The priced cart, read once per request (the header and the cart page share it)."""
    summary = getattr(request, _SUMMARY_ATTRIBUTE, None)
    if summary is None:
        summary = cart_summary(shopper_cart(request))
        setattr(request, _SUMMARY_ATTRIBUTE, summary)
    return summary


def shopper_cart_add(request: HttpRequest, *, sku: object, quantity: object) -> CartLine:
    """Add to the shopper's cart, opening one only if the line is accepted."""
    with transaction.atomic():
        cart = shopper_cart(request)
        if cart is None:
            cart = (
                customer_cart(request.user)
                if request.user.is_authenticated
                else guest_cart_create()[0]
            )
        line = cart_add(cart=cart, sku=str(sku or ""), quantity=quantity)
    if not request.user.is_authenticated:
        request.session[SESSION_CART_KEY] = str(cart.pk)
    return line


def guest_cart_id(request: HttpRequest) -> str | None:
    """Read before signing in: the new session may not carry it over."""
    return request.session.get(SESSION_CART_KEY)


def guest_cart_merge(request: HttpRequest, cart_id: str | None) -> None:
    """Move what a guest put in their cart into the customer's, once they are signed in."""
    guest = cart_by_id(cart_id) if cart_id else None
    if guest is not None:
        cart_merge(guest=guest, user=request.user)
    request.session.pop(SESSION_CART_KEY, None)
