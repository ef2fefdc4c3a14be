"""Tokenising a card for the test gateway: check what was typed, keep only what may be kept.

The card number and the security code are read, checked and forgotten: neither is stored,
logged or put in an error. Django's error reports hide them too (``sensitive_variables``).
"""

from __future__ import annotations

import re
import secrets
import time
import unicodedata

from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from lumeire.accounts.pseudonyms import client_ref
from lumeire.core.ratelimit import allow
from lumeire.payments.errors import PaymentError, PaymentErrorCode
from lumeire.payments.gateway import CardBrand
from lumeire.payments.models import CardOutcome, TestGatewayCard

# The test gateway's cards: this one is always declined, every other valid number approved.
DECLINED_TEST_CARD = "4000000000000002"
APPROVED_TEST_CARD = "4242424242424242"

TOKENISATIONS_PER_MINUTE = 30
# An expiry year further ahead than this is a typing mistake, not a card.
MAX_YEARS_AHEAD = 20
# Nothing longer is a card detail; longer input is refused before any other work.
_MAX_INPUT = 40

_ARABIC_DIGITS = str.maketrans(
    {**{chr(0x0660 + d): str(d) for d in range(10)}, **{chr(0x06F0 + d): str(d) for d in range(10)}}
)
_CARD_DIGITS = re.compile(r"[0-9]{12,19}", flags=re.ASCII)
_SEPARATORS = re.compile(r"[\s-]+")


@sensitive_variables()
def _ascii_digits(raw: object) -> str:
    # Shoppers may type Arabic-Indic or full-width digits; the rules count ASCII ones.
    text = "" if raw is None or isinstance(raw, bool) else str(raw)
    if len(text) > _MAX_INPUT:
        return ""
    return unicodedata.normalize("NFKC", text).translate(_ARABIC_DIGITS).strip()


@sensitive_variables()
def _luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


@sensitive_variables()
def card_brand(digits: str) -> CardBrand:
    """The scheme a card number's first digits name; "card" when none matches."""
    if digits.startswith("4"):
        return CardBrand.VISA
    if digits[:2] in {"51", "52", "53", "54", "55"} or 2221 <= int(digits[:4] or 0) <= 2720:
        return CardBrand.MASTERCARD
    if digits[:2] in {"34", "37"}:
        return CardBrand.AMEX
    return CardBrand.CARD


class _Refusals:
    """What is wrong with the card details, field by field, and the code of each."""

    def __init__(self) -> None:
        self.codes: dict[str, PaymentErrorCode] = {}
        self.messages: dict[str, list[str]] = {}

    def add(self, field: str, code: PaymentErrorCode, message: str) -> None:
        self.codes.setdefault(field, code)
        self.messages.setdefault(field, []).append(message)

    def has(self, *fields: str) -> bool:
        return any(field in self.codes for field in fields)

    def error(self) -> PaymentError:
        # The first field's code (in the form's order); one field's message, or a summary.
        field = next(name for name in _FORM_ORDER if name in self.codes)
        message = (
            self.messages[field][0]
            if len(self.messages) == 1
            else _("Some card details are not valid. Check the fields marked.")
        )
        return PaymentError(self.codes[field], message, field_errors=self.messages)


_FORM_ORDER = ("number", "exp_month", "exp_year", "cvc")


@sensitive_variables("raw", "digits")
def _card_number(raw: object, refusals: _Refusals) -> str:
    digits = _SEPARATORS.sub("", _ascii_digits(raw))
    if not _CARD_DIGITS.fullmatch(digits):
        message = _("Enter the card number: 12 to 19 digits, as printed on the card.")
    elif not _luhn_valid(digits):
        message = _("This card number is not valid. Check it against your card.")
    else:
        return digits
    refusals.add("number", PaymentErrorCode.INVALID_CARD_NUMBER, message)
    return ""


def _expiry(raw_month: object, raw_year: object, refusals: _Refusals) -> tuple[int, int]:
    month_text, year_text = _ascii_digits(raw_month), _ascii_digits(raw_year)
    month = int(month_text) if re.fullmatch(r"[0-9]{1,2}", month_text, flags=re.ASCII) else 0
    if not 1 <= month <= 12:
        message = _("Enter the expiry month as a number from 1 to 12.")
        refusals.add("exp_month", PaymentErrorCode.INVALID_EXPIRY, message)
    year = 0
    if re.fullmatch(r"[0-9]{2}|[0-9]{4}", year_text, flags=re.ASCII):
        year = int(year_text) + (2000 if len(year_text) == 2 else 0)
    else:
        message = _("Enter the expiry year as 2 or 4 digits, like 28 or 2028.")
        refusals.add("exp_year", PaymentErrorCode.INVALID_EXPIRY, message)
    if refusals.has("exp_month", "exp_year"):
        return month, year
    today = timezone.localdate()
    if (year, month) < (today.year, today.month):
        # A card works to the end of its expiry month. The month is at fault when the year is
        # this one; otherwise the year is.
        field = "exp_month" if year == today.year else "exp_year"
        message = _("This card has expired. Use another card.")
        refusals.add(field, PaymentErrorCode.CARD_EXPIRED, message)
    elif year > today.year + MAX_YEARS_AHEAD:
        message = _("This expiry year is too far ahead. Check it against your card.")
        refusals.add("exp_year", PaymentErrorCode.INVALID_EXPIRY, message)
    return month, year


@sensitive_variables("raw", "cvc")
def _cvc(raw: object, refusals: _Refusals) -> None:
    cvc = _ascii_digits(raw)
    if not re.fullmatch(r"[0-9]{3,4}", cvc, flags=re.ASCII):
        message = _("Enter the 3 or 4 digit security code (CVC) printed on your card.")
        refusals.add("cvc", PaymentErrorCode.INVALID_CVC, message)


@sensitive_variables("number", "cvc", "digits")
def card_tokenise(
    *, number: object, exp_month: object, exp_year: object, cvc: object
) -> TestGatewayCard:
    """Check a card as the test gateway's hosted fields would, and keep a single-use token.

    Every field is checked, so one refusal names all that is wrong. Only the brand, the last
    four digits and the expiry are stored; the token works once, for 30 minutes.
    """
    refusals = _Refusals()
    digits = _card_number(number, refusals)
    month, year = _expiry(exp_month, exp_year, refusals)
    _cvc(cvc, refusals)
    if refusals.codes:
        raise refusals.error()
    return TestGatewayCard.objects.create(
        token="tok_" + secrets.token_urlsafe(24),
        brand=card_brand(digits),
        last4=digits[-4:],
        exp_month=month,
        exp_year=year,
        outcome=CardOutcome.DECLINE if digits == DECLINED_TEST_CARD else CardOutcome.APPROVE,
    )


def card_tokenise_throttle(*, address: str | None) -> None:
    """Count one tokenisation from a client address; refuse past 30 a minute (card testing).

    The web form and the API share the count. The address is counted only as a keyed hash.
    """
    window = 60
    ref = client_ref(address) or "unknown"
    if not allow(f"card-tokenise:{ref}", limit=TOKENISATIONS_PER_MINUTE, window_seconds=window):
        wait = window - int(time.time()) % window
        raise PaymentError(
            PaymentErrorCode.RATE_LIMITED,
            _("Too many card attempts. Wait a minute, then try again."),
            status_code=429,
            retry_after=wait,
        )
