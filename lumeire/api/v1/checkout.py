"""/api/v1/checkout/: the delivery options, and placing an order from the customer's own cart.

Placing is one call to the checkout domain, which does everything in one transaction or
nothing: a refusal (a wrong address, sold out, too young, a declined card) leaves the cart, the
stock and the orders as they were. The ``Idempotency-Key`` header makes a retry safe: the key
that placed an order returns that order again, without a second charge.
"""

from __future__ import annotations

import time

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache
from ninja import Router, Status
from ninja.errors import Throttled

from lumeire.accounts.pseudonyms import client_ref
from lumeire.api.auth import customer_token
from lumeire.api.schemas import ErrorSchema
from lumeire.api.v1.checkout_schemas import PlaceOrderIn, ShippingMethodOut
from lumeire.api.v1.order_schemas import OrderOut, response_language
from lumeire.api.v1.orders import order_out
from lumeire.cart.services import customer_cart
from lumeire.checkout.addresses import AddressInput, parse_address
from lumeire.checkout.errors import CheckoutError
from lumeire.checkout.selectors import shipping_methods
from lumeire.checkout.services import (
    IDEMPOTENCY_KEY,
    PaymentChoice,
    order_place,
    parse_idempotency_key,
    parse_payment,
)
from lumeire.core.client import client_address
from lumeire.core.ratelimit import allow

router = Router(tags=["checkout"])
# An order is one customer's; no shared cache may keep an answer.
router.add_decorator(never_cache, mode="view")

# Far above what a person does; a script trying stolen cards meets the limit.
PLACEMENTS_PER_MINUTE = 10
IDEMPOTENCY_KEY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"

_KEY_DESCRIPTION = (
    "8 to 100 letters, digits or . _ : - chosen by the client: new for each checkout, the same "
    "on every retry of it."
)
# The header is read by the view, not by ninja, so a missing or malformed key gets the
# checkout's own sentence (400 idempotency_key_required); the document still says it is required.
_PLACE_DOC = {
    "parameters": [
        {
            "in": "header",
            "name": IDEMPOTENCY_KEY_HEADER,
            "required": True,
            "description": _KEY_DESCRIPTION,
            "schema": {"type": "string", "pattern": IDEMPOTENCY_KEY.pattern},
        }
    ],
    "responses": {
        200: {
            "description": "This Idempotency-Key placed the order before: the same order, "
            "nothing placed or charged again.",
            "headers": {
                REPLAYED_HEADER: {
                    "description": '"true" on a repeated request.',
                    "schema": {"type": "string"},
                }
            },
        },
        201: {
            "description": "The order was placed.",
            "headers": {
                "Location": {"description": "The order's address.", "schema": {"type": "string"}}
            },
        },
        402: {"description": "The card was declined; nothing was taken or kept."},
        409: {"description": "The Idempotency-Key was used for a different checkout."},
        429: {
            "headers": {
                "Retry-After": {
                    "description": "Seconds to wait before trying again.",
                    "schema": {"type": "integer"},
                }
            }
        },
    },
}


def _throttle(request: HttpRequest) -> None:
    window = 60
    if not allow(
        f"checkout-place:{request.auth.pk}", limit=PLACEMENTS_PER_MINUTE, window_seconds=window
    ):
        raise Throttled(wait=window - int(time.time()) % window)


def _prefixed(part: str, errors: dict[str, list[str]]) -> dict[str, list[str]]:
    # The body nests the address and the payment; a client finds the field by its full path.
    return {f"{part}.{name}": messages for name, messages in errors.items()}


def _parsed(payload: PlaceOrderIn) -> tuple[AddressInput, PaymentChoice]:
    """The address and the payment, both checked before refusing, so one answer names every
    field that is wrong."""
    refusal: CheckoutError | None = None
    errors: dict[str, list[str]] = {}
    try:
        address = parse_address(payload.shipping_address.model_dump())
    except CheckoutError as refused:
        refusal = refused
        errors.update(_prefixed("shipping_address", refused.field_errors))
    try:
        payment = parse_payment(payload.payment.method, payload.payment.card_token)
    except CheckoutError as refused:
        refusal = refusal or refused
        errors.update(_prefixed("payment", refused.field_errors))
    if refusal is not None:
        raise CheckoutError(refusal.code, refusal.message, field_errors=errors)
    return address, payment


@router.get("/shipping-methods", response={200: list[ShippingMethodOut]})
def shipping_method_list(request: HttpRequest):
    """The delivery options offered now, named in the request's language, priced with VAT."""
    language = response_language()
    return [ShippingMethodOut.of(method, language) for method in shipping_methods()]


@router.post(
    "/orders",
    auth=customer_token,
    response={
        200: OrderOut,
        201: OrderOut,
        400: ErrorSchema,
        401: ErrorSchema,
        402: ErrorSchema,
        409: ErrorSchema,
        429: ErrorSchema,
    },
    openapi_extra=_PLACE_DOC,
)
def place_order(
    request: HttpRequest,
    payload: PlaceOrderIn,
    response: HttpResponse,
):
    """Place an order from the customer's cart: 201 with the order and its Location.

    Repeating the request with the same ``Idempotency-Key`` answers 200 with the same order
    and the header ``Idempotent-Replayed: true``; nothing is placed or charged again, so a
    client that lost the first answer may simply retry. The same key with another cart or body
    is a 409 (``idempotency_key_reused``). Other refusals change nothing and carry a ``code``:
    400 ``idempotency_key_required``, ``invalid_address`` (with errors per field, as
    ``shipping_address.phone``), ``unknown_shipping_method``, ``unknown_payment_method``,
    ``card_token_required``, ``cart_empty``, ``age_restricted``, ``product_unavailable``,
    ``sold_out`` or ``unknown_token``; 402 ``payment_declined``. At most 10 a minute per
    customer; then 429 with Retry-After.
    """
    _throttle(request)
    key = parse_idempotency_key(request.headers.get(IDEMPOTENCY_KEY_HEADER))
    address, payment = _parsed(payload)
    language = response_language()
    placement = order_place(
        customer=request.auth,
        cart=customer_cart(request.auth),
        address=address,
        shipping_method=payload.shipping_method,
        payment=payment,
        idempotency_key=key,
        client_hash=client_ref(client_address(request)),
        save_address=payload.save_address,
        language=language,
    )
    order = placement.order
    response["Location"] = reverse("api-v1:order", kwargs={"number": order.number})
    if placement.replayed:
        response[REPLAYED_HEADER] = "true"
        return Status(200, order_out(order, language))
    return Status(201, order_out(order, language))
