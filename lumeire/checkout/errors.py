"""Why a checkout was refused. Every refusal leaves no order, no charge and the stock as it was."""

from __future__ import annotations

from enum import StrEnum

from lumeire.core.errors import ApplicationError, ConflictError


class CheckoutErrorCode(StrEnum):
    IDEMPOTENCY_KEY_REQUIRED = "idempotency_key_required"
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"
    CART_EMPTY = "cart_empty"
    INVALID_ADDRESS = "invalid_address"
    UNKNOWN_SHIPPING_METHOD = "unknown_shipping_method"
    UNKNOWN_PAYMENT_METHOD = "unknown_payment_method"
    CARD_TOKEN_REQUIRED = "card_token_required"  # noqa: S105 - an error code, not a secret
    PRODUCT_UNAVAILABLE = "product_unavailable"
    SOLD_OUT = "sold_out"
    AGE_RESTRICTED = "age_restricted"
    PAYMENT_DECLINED = "payment_declined"
    ADDRESS_NOT_FOUND = "address_not_found"
    INVALID_EMAIL = "invalid_email"


class CheckoutError(ApplicationError):
    """A checkout refused with a reason the shopper can act on."""


class CheckoutConflict(ConflictError):
    """The idempotency key was used before for a different checkout."""


class AgeRestricted(CheckoutError):
    """The customer is younger than a product in the cart requires."""

    def __init__(self, message: str, *, product_id: int, required_age: int) -> None:
        super().__init__(CheckoutErrorCode.AGE_RESTRICTED, message)
        self.product_id = product_id
        self.required_age = required_age


class PaymentDeclined(CheckoutError):
    """The card was declined; nothing was taken and nothing was kept."""

    status_code = 402
    amount = None  # what the refused authorisation asked for
