"""Why a payment step was refused. Messages are for people; codes are for programs.

A declined card is no error: the gateway answers it with ``Authorisation(approved=False)``.
"""

from __future__ import annotations

from enum import StrEnum

from lumeire.core.errors import ApplicationError


class PaymentErrorCode(StrEnum):
    INVALID_CARD_NUMBER = "invalid_card_number"
    CARD_EXPIRED = "card_expired"
    INVALID_EXPIRY = "invalid_expiry"
    INVALID_CVC = "invalid_cvc"
    UNKNOWN_TOKEN = "unknown_token"  # noqa: S105 - an error code, not a secret
    UNKNOWN_CHARGE = "unknown_charge"
    NOT_CAPTURABLE = "not_capturable"
    NOT_REFUNDABLE = "not_refundable"
    NOT_VOIDABLE = "not_voidable"
    RATE_LIMITED = "rate_limited"


class PaymentError(ApplicationError):
    """A payment step refused; nothing was charged or changed by it.

    ``field_errors`` names the card form's fields (number, exp_month, exp_year, cvc).
    """
