"""The card gateway as orders and checkout see it: authorise, then capture, refund or void.

The store never holds a card number. The shopper types it into the gateway's own fields, which
hand back a single-use token; only that token reaches this interface. Which gateway the store
uses is the dotted path in ``settings.LUMEIRE_CARD_GATEWAY``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

DEFAULT_CARD_GATEWAY = "lumeire.payments.test_gateway.TestGateway"


class CardBrand(models.TextChoices):
    """The card schemes a gateway may report; "card" when it cannot tell."""

    VISA = "visa", "Visa"
    MASTERCARD = "mastercard", "Mastercard"
    MADA = "mada", _("mada")
    AMEX = "amex", "American Express"
    CARD = "card", _("Card")


@dataclass(frozen=True)
class Authorisation:
    """A gateway's answer to an authorisation; a decline is an answer, not an error."""

    approved: bool
    reference: str  # the gateway's id for the charge; "" when declined
    brand: str  # "visa", "mastercard", "mada", "amex", or "card"
    last4: str
    decline_message: str  # translated, shown to the shopper; "" when approved


class PaymentGateway(ABC):
    """A card provider. Every method raises PaymentError for a refusal the caller must handle."""

    code: str

    @abstractmethod
    def authorise(
        self, *, card_token: str, amount: Decimal, currency: str, reference: str
    ) -> Authorisation:
        """Hold ``amount`` on the card behind a single-use token; ``reference`` is the store's."""

    @abstractmethod
    def capture(self, *, authorisation: str, amount: Decimal) -> None:
        """Take up to the authorised amount of an authorised charge."""

    @abstractmethod
    def refund(self, *, authorisation: str, amount: Decimal) -> None:
        """Give back up to the captured amount of a captured charge."""

    @abstractmethod
    def void(self, *, authorisation: str) -> None:
        """Release an authorised charge that will not be captured."""


def card_gateway() -> PaymentGateway:
    """The gateway named by ``settings.LUMEIRE_CARD_GATEWAY``, ready to use."""
    path = getattr(settings, "LUMEIRE_CARD_GATEWAY", DEFAULT_CARD_GATEWAY)
    gateway_class = import_string(path)
    if not (isinstance(gateway_class, type) and issubclass(gateway_class, PaymentGateway)):
        raise ImproperlyConfigured(f"LUMEIRE_CARD_GATEWAY ({path}) is not a PaymentGateway.")
    return gateway_class()
