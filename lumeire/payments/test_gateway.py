"""The built-in test gateway: a card provider that lives in this process, for development,
demos and the test suite. Card 4000 0000 0000 0002 is declined; every other valid one approved.

It behaves as another system would: it knows tokens and charges only by their references, moves
a charge through authorised → captured → refunded (or authorised → voided), and refuses any
other move. Rows are locked while they change, so two concurrent calls cannot both succeed.
"""

from __future__ import annotations

import logging
import re
import secrets
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lumeire.payments.errors import PaymentError, PaymentErrorCode
from lumeire.payments.gateway import Authorisation, PaymentGateway, card_gateway
from lumeire.payments.models import (
    TOKEN_LIFETIME,
    CardOutcome,
    ChargeStatus,
    TestGatewayCard,
    TestGatewayCharge,
)

logger = logging.getLogger(__name__)

_CENT = Decimal("0.01")
_CURRENCY = re.compile(r"[A-Z]{3}", flags=re.ASCII)


def _amount(amount: Decimal) -> Decimal:
    # A wrong amount is the caller's bug, not the shopper's input: no translated message.
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount <= 0:
        raise ValueError("amount must be a positive Decimal")
    if amount != amount.quantize(_CENT):
        raise ValueError("amount must have at most two decimal places")
    return amount


def _unknown_token() -> PaymentError:
    return PaymentError(
        PaymentErrorCode.UNKNOWN_TOKEN,
        _("These card details have expired or were already used. Enter your card again."),
    )


def _charge(reference: str) -> TestGatewayCharge:
    charge = TestGatewayCharge.objects.select_for_update().filter(reference=reference).first()
    if charge is None:
        raise PaymentError(
            PaymentErrorCode.UNKNOWN_CHARGE,
            _("The payment provider knows no such payment."),
            status_code=404,
        )
    return charge


def _charge_in(reference: str, status: str, code: PaymentErrorCode, message: str):
    """The charge, locked, provided it is in ``status``; otherwise a 409 with ``message``."""
    charge = _charge(reference)
    if charge.status != status:
        raise PaymentError(code, message, status_code=409)
    return charge


def _refuse_above(amount: Decimal, limit: Decimal, code: PaymentErrorCode, message: str) -> None:
    if amount > limit:
        raise PaymentError(code, message, status_code=409)


def _expired(card: TestGatewayCard) -> bool:
    today = timezone.localdate()
    return (card.exp_year, card.exp_month) < (today.year, today.month)


class TestGateway(PaymentGateway):
    """The in-process gateway behind the card form at /<language>/payments/test-gateway/card/."""

    __test__ = False  # a gateway, not a pytest class

    code = "test"

    @transaction.atomic
    def authorise(
        self, *, card_token: str, amount: Decimal, currency: str, reference: str
    ) -> Authorisation:
        """Use the token (once, within 30 minutes) and hold the amount, or decline."""
        amount = _amount(amount)
        if not _CURRENCY.fullmatch(str(currency)):
            raise ValueError("currency must be a three-letter ISO 4217 code")
        if not 1 <= len(str(reference)) <= 100:
            raise ValueError("reference must be 1 to 100 characters")
        now = timezone.now()
        card = (
            TestGatewayCard.objects.select_for_update()
            .filter(token=str(card_token or ""), used_at__isnull=True)
            .filter(created_at__gt=now - TOKEN_LIFETIME)
            .first()
        )
        # The guarded update also holds where the database takes no row lock (SQLite).
        if card is None or not TestGatewayCard.objects.filter(
            pk=card.pk, used_at__isnull=True
        ).update(used_at=now):
            raise _unknown_token()
        if card.outcome == CardOutcome.DECLINE or _expired(card):
            logger.info("test gateway: card declined", extra={"merchant_reference": reference})
            return Authorisation(
                approved=False,
                reference="",
                brand=card.brand,
                last4=card.last4,
                decline_message=_(
                    "Your card was declined. No money was taken; try another card or pay on "
                    "delivery."
                ),
            )
        charge = TestGatewayCharge.objects.create(
            reference="ch_" + secrets.token_hex(12),
            card=card,
            amount=amount,
            currency=currency,
            merchant_reference=str(reference),
        )
        logger.info(
            "test gateway: charge authorised",
            extra={"charge": charge.reference, "merchant_reference": charge.merchant_reference},
        )
        return Authorisation(
            approved=True,
            reference=charge.reference,
            brand=card.brand,
            last4=card.last4,
            decline_message="",
        )

    @transaction.atomic
    def capture(self, *, authorisation: str, amount: Decimal) -> None:
        """Take up to the authorised amount; the rest of the hold is released."""
        amount = _amount(amount)
        charge = _charge_in(
            authorisation,
            ChargeStatus.AUTHORISED,
            PaymentErrorCode.NOT_CAPTURABLE,
            _("This payment cannot be taken: it is not an open authorisation."),
        )
        _refuse_above(
            amount,
            charge.amount,
            PaymentErrorCode.NOT_CAPTURABLE,
            _("No more than the authorised amount can be taken."),
        )
        charge.status = ChargeStatus.CAPTURED
        charge.captured_amount = amount
        charge.save(update_fields=["status", "captured_amount", "updated_at"])
        logger.info("test gateway: charge captured", extra={"charge": charge.reference})

    @transaction.atomic
    def refund(self, *, authorisation: str, amount: Decimal) -> None:
        """Give back up to the captured amount, once."""
        amount = _amount(amount)
        charge = _charge_in(
            authorisation,
            ChargeStatus.CAPTURED,
            PaymentErrorCode.NOT_REFUNDABLE,
            _("This payment cannot be refunded: no money was taken, or it was refunded."),
        )
        _refuse_above(
            amount,
            charge.captured_amount,
            PaymentErrorCode.NOT_REFUNDABLE,
            _("No more than the amount taken can be refunded."),
        )
        charge.status = ChargeStatus.REFUNDED
        charge.refunded_amount = amount
        charge.save(update_fields=["status", "refunded_amount", "updated_at"])
        logger.info("test gateway: charge refunded", extra={"charge": charge.reference})

    @transaction.atomic
    def void(self, *, authorisation: str) -> None:
        """Release an authorisation that will not be taken."""
        charge = _charge_in(
            authorisation,
            ChargeStatus.AUTHORISED,
            PaymentErrorCode.NOT_VOIDABLE,
            _("This payment cannot be cancelled: it is not an open authorisation."),
        )
        charge.status = ChargeStatus.VOIDED
        charge.save(update_fields=["status", "updated_at"])
        logger.info("test gateway: charge voided", extra={"charge": charge.reference})


def card_gateway_is_test() -> bool:
    """Whether the store is set up with this gateway; its card form and API answer only then."""
    return isinstance(card_gateway(), TestGateway)
