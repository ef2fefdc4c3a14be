"""Card details as a shopper types them, for the payments tests."""

from __future__ import annotations

from django.utils import timezone

from lumeire.payments.models import TestGatewayCard
from lumeire.payments.services import card_tokenise

APPROVED = "4242424242424242"
DECLINED = "4000000000000002"
CVC = "123"


def card_details(**overrides: object) -> dict[str, object]:
    """A valid card, two years from expiry; ``overrides`` replace any field."""
    details: dict[str, object] = {
        "number": "4242 4242 4242 4242",
        "exp_month": "12",
        "exp_year": str(timezone.localdate().year + 2),
        "cvc": CVC,
    }
    details.update(overrides)
    return details


def tokenised(**overrides: object) -> TestGatewayCard:
    """A card tokenised through the service."""
    return card_tokenise(**card_details(**overrides))
