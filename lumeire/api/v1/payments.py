"""/api/v1/payments/test-gateway: the built-in test gateway's card tokens, for app checkouts.

An app sends the card here, as it would to a provider's own endpoint, and gets a single-use
token back; the store's checkout only ever sees that token. Answers only while the store is set
up with the test gateway (404 otherwise). At most 30 tokenisations a minute from one client
address, shared with the card page; then 429 with Retry-After.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.views.decorators.cache import never_cache
from ninja import Router, Status

from lumeire.api.schemas import ErrorSchema
from lumeire.api.v1.payment_schemas import CardIn, CardTokenOut
from lumeire.core.client import client_address
from lumeire.payments.services import card_tokenise, card_tokenise_throttle
from lumeire.payments.test_gateway import card_gateway_is_test

router = Router(tags=["payments"])
router.add_decorator(never_cache, mode="view")

_TOKEN_DOC = {
    "responses": {
        429: {
            "headers": {
                "Retry-After": {
                    "description": "Seconds to wait before sending a card again.",
                    "schema": {"type": "integer"},
                }
            }
        },
    }
}


@router.post(
    "/test-gateway/tokens",
    response={201: CardTokenOut, 400: ErrorSchema, 404: ErrorSchema, 429: ErrorSchema},
    openapi_extra=_TOKEN_DOC,
)
def create_card_token(request: HttpRequest, payload: CardIn):
    """Check a card and return a token for it; a refusal names each field that is wrong.

    The number and CVC are never stored or returned: only the brand, the last four digits and
    the expiry stay with the gateway.
    """
    if not card_gateway_is_test():
        raise Http404
    card_tokenise_throttle(address=client_address(request))
    card = card_tokenise(
        number=payload.number,
        exp_month=payload.exp_month,
        exp_year=payload.exp_year,
        cvc=payload.cvc,
    )
    return Status(201, CardTokenOut(card_token=card.token))
