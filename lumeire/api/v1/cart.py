"""/api/v1/cart: the shopper's cart, for guests (``X-Cart-Token``) and signed-in customers.

A guest gets a cart, and its token in the ``X-Cart-Token`` response header, on the first line
added; every later cart response repeats the header. A customer (bearer token) uses their own
cart, and a guest token sent alongside merges that guest cart into it. A token that opens no
cart counts as none. The rules (stock, quantities, prices) live in the cart domain.
"""

from __future__ import annotations

import time
from typing import Annotated

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from ninja import Path, Router, Status
from ninja.errors import AuthenticationError, Throttled

from lumeire.accounts.pseudonyms import client_ref
from lumeire.api.auth import customer_token, presented_token
from lumeire.api.cart_token import CART_TOKEN_HEADER, CartToken, guest_cart_of
from lumeire.api.schemas import ErrorSchema
from lumeire.api.v1.cart_schemas import CartOut, LineIn, QuantityIn
from lumeire.cart.errors import CartErrorCode, CartLineMissing
from lumeire.cart.models import Cart
from lumeire.cart.selectors import cart_of_user, cart_summary
from lumeire.cart.services import (
    cart_add,
    cart_merge,
    cart_remove,
    cart_set_quantity,
    customer_cart,
    guest_cart_create,
)
from lumeire.core.client import client_address
from lumeire.core.ratelimit import allow

router = Router(tags=["cart"])
# A cart is one shopper's; no shared cache may keep it.
router.add_decorator(never_cache, mode="view")

ADDS_PER_MINUTE = 120

_TOKEN_HEADER_DOC = {
    CART_TOKEN_HEADER: {
        "description": "A guest cart's token: send it back on every cart request.",
        "schema": {"type": "string"},
    }
}
_DOC = {"responses": {200: {"headers": _TOKEN_HEADER_DOC}}}
_ADD_DOC = {
    "responses": {
        201: {"headers": _TOKEN_HEADER_DOC},
        429: {
            "headers": {
                "Retry-After": {
                    "description": "Seconds to wait before adding again.",
                    "schema": {"type": "integer"},
                }
            }
        },
    }
}


# The contract names it {id}; text, so a line id that is no number is simply not in the cart.
LineId = Annotated[str, Path(alias="id", description="A line's id from the cart.")]


def _customer(request: HttpRequest):
    """The signed-in customer, None for a guest; a bearer token that fails is a 401, not a guest."""
    if presented_token(request) is None:
        return None
    user = customer_token(request)
    if user is None:
        raise AuthenticationError
    return user


def _cart(request: HttpRequest, raw_token: str | None, *, create: bool) -> tuple[Cart | None, str]:
    """The cart this request acts on and the token to send back ('' for a customer's cart)."""
    user = _customer(request)
    guest = guest_cart_of(raw_token)
    if user is not None:
        if guest is not None:
            return cart_merge(guest=guest, user=user), ""
        return (customer_cart(user) if create else cart_of_user(user)), ""
    if guest is not None:
        return guest, raw_token.strip()
    if create:
        return guest_cart_create()
    return None, ""


def _existing(found: Cart | None) -> Cart:
    if found is None:
        raise CartLineMissing(CartErrorCode.UNKNOWN_LINE, _("This line is not in your cart."))
    return found


def _answer(cart: Cart | None, raw_token: str, response: HttpResponse) -> CartOut:
    if raw_token:
        response[CART_TOKEN_HEADER] = raw_token
    return CartOut.of(cart_summary(cart))


def _throttle_adds(request: HttpRequest) -> None:
    window = 60
    bucket = f"cart-add:{client_ref(client_address(request))}"
    if not allow(bucket, limit=ADDS_PER_MINUTE, window_seconds=window):
        raise Throttled(wait=window - int(time.time()) % window)


@router.get("", response={200: CartOut, 401: ErrorSchema}, openapi_extra=_DOC)
def cart(request: HttpRequest, response: HttpResponse, x_cart_token: CartToken = None):
    """The cart with prices read from the catalogue now; a guest without a cart gets an empty
    one, and none is made until a line is added."""
    found, raw = _cart(request, x_cart_token, create=False)
    return _answer(found, raw, response)


@router.post(
    "/lines",
    response={201: CartOut, 400: ErrorSchema, 401: ErrorSchema, 429: ErrorSchema},
    openapi_extra=_ADD_DOC,
)
def add_line(
    request: HttpRequest, payload: LineIn, response: HttpResponse, x_cart_token: CartToken = None
):
    """Add a quantity of a SKU (stock permitting) and return the cart.

    A refused add changes nothing: not even a new guest cart is kept. At most 120 adds a minute
    from one client address; then 429 with Retry-After.
    """
    _throttle_adds(request)
    with transaction.atomic():
        found, raw = _cart(request, x_cart_token, create=True)
        cart_add(cart=found, sku=payload.sku, quantity=payload.quantity)
    return Status(201, _answer(found, raw, response))


@router.patch(
    "/lines/{id}",
    response={200: CartOut, 400: ErrorSchema, 401: ErrorSchema, 404: ErrorSchema},
    openapi_extra=_DOC,
)
def change_line(
    request: HttpRequest,
    line_id: LineId,
    payload: QuantityIn,
    response: HttpResponse,
    x_cart_token: CartToken = None,
):
    """Set a line's quantity (1 or more, stock permitting); a line of another cart is a 404."""
    with transaction.atomic():
        found, raw = _cart(request, x_cart_token, create=False)
        cart_set_quantity(cart=_existing(found), line_id=line_id, quantity=payload.quantity)
    return _answer(found, raw, response)


@router.delete(
    "/lines/{id}",
    response={200: CartOut, 401: ErrorSchema, 404: ErrorSchema},
    openapi_extra=_DOC,
)
def remove_line(
    request: HttpRequest, line_id: LineId, response: HttpResponse, x_cart_token: CartToken = None
):
    """Take a line out of the cart; a line of another cart is a 404."""
    with transaction.atomic():
        found, raw = _cart(request, x_cart_token, create=False)
        cart_remove(cart=_existing(found), line_id=line_id)
    return _answer(found, raw, response)
