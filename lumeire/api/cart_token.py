"""The ``X-Cart-Token`` header: how an API guest keeps a cart between requests.

Shared by the cart endpoints and sign-in, which merges the guest's cart into the customer's.
"""

from __future__ import annotations

from typing import Annotated

from ninja import Header

from lumeire.cart.models import Cart
from lumeire.cart.selectors import cart_by_token
from lumeire.cart.services import cart_merge

CART_TOKEN_HEADER = "X-Cart-Token"  # noqa: S105 - a header name, not a secret

# An endpoint's parameter for the header, documented in the OpenAPI description.
CartToken = Annotated[
    str | None,
    Header(
        None,
        alias=CART_TOKEN_HEADER,
        description="A guest cart's token, from an earlier cart response.",
    ),
]


def guest_cart_of(raw_token: str | None) -> Cart | None:
    """The guest cart a token opens; an unknown, malformed or customer's token opens none."""
    return cart_by_token((raw_token or "").strip() or None)


def merge_guest_cart(raw_token: str | None, user) -> Cart | None:
    """Move the token's guest cart into ``user``'s (quantities add, capped by stock), if any."""
    guest = guest_cart_of(raw_token)
    return None if guest is None else cart_merge(guest=guest, user=user)
