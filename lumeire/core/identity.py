"""Identity numbers: one per customer, validated by a pluggable country rule (Saudi by default).

An identity number is personal data, so no message here ever repeats the value it rejects, and
``IdentityNumber`` shows only its masked form in ``str()`` and ``repr()``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

SAUDI_IDENTITY_LENGTH = 10

_ASCII_DIGITS = re.compile(r"[0-9]+", flags=re.ASCII)

# Arabic-Indic (U+0660-U+0669) and Eastern Arabic-Indic (U+06F0-U+06F9) digits are what Arabic
# keyboards type; they map one to one onto ASCII. Other scripts' digits are refused on purpose.
_ARABIC_DIGITS = str.maketrans(
    {
        **{chr(0x0660 + value): str(value) for value in range(10)},
        **{chr(0x06F0 + value): str(value) for value in range(10)},
    }
)

# Separators people type or paste between groups of digits: dots, slashes, the minus sign, and
# the invisible direction and joiner marks that copying from right-to-left text brings along.
# Whitespace and every Unicode dash (category Pd) are dropped as well; see _is_separator().
_SEPARATORS = frozenset(
    ".·/_\u2212\u00ad"  # dot, middle dot, slash, underscore, minus sign, soft hyphen
    "\u200b\u200c\u200d\u2060\ufeff"  # zero-width space, non-joiner, joiner; word joiner; BOM
    "\u200e\u200f\u061c"  # left-to-right, right-to-left and Arabic letter marks
    "\u202a\u202b\u202c\u202d\u202e"  # bidi embeddings and overrides
    "\u2066\u2067\u2068\u2069"  # bidi isolates
)


class IdentityType(models.TextChoices):
    """Which document an identity number belongs to; the first digit decides."""

    NATIONAL_ID = "national_id", _("National ID")
    RESIDENCE = "residence", _("Residence number")


class IdentityNumberErrorCode(StrEnum):
    """Why an identity number was refused; forms and the API key their messages on these."""

    EMPTY = "empty"
    NON_DIGIT = "non_digit"
    WRONG_LENGTH = "wrong_length"
    WRONG_FIRST_DIGIT = "wrong_first_digit"
    BAD_CHECK_DIGIT = "bad_check_digit"


# Messages never include the value: it is personal data and may end up in logs or an API body.
IDENTITY_NUMBER_MESSAGES = {
    IdentityNumberErrorCode.EMPTY: _("Enter a national ID or residence number."),
    IdentityNumberErrorCode.NON_DIGIT: _(
        "A national ID or residence number (iqama) can contain only digits."
    ),
    IdentityNumberErrorCode.WRONG_LENGTH: _(
        "A national ID or residence number (iqama) has exactly 10 digits."
    ),
    IdentityNumberErrorCode.WRONG_FIRST_DIGIT: _(
        "A national ID starts with 1 and a residence number starts with 2."
    ),
    IdentityNumberErrorCode.BAD_CHECK_DIGIT: _(
        "This national ID or residence number (iqama) is not valid. Check it for a mistyped digit."
    ),
}

_TYPE_BY_FIRST_DIGIT = {"1": IdentityType.NATIONAL_ID, "2": IdentityType.RESIDENCE}


@dataclass(frozen=True, slots=True, repr=False)
class IdentityNumber:
    """A validated identity number: ASCII digits and the document type they belong to."""

    digits: str
    type: IdentityType

    def __post_init__(self) -> None:
        if not isinstance(self.digits, str) or not _ASCII_DIGITS.fullmatch(self.digits):
            raise ValueError("IdentityNumber.digits must be a string of ASCII digits.")
        object.__setattr__(self, "type", IdentityType(self.type))

    @property
    def masked(self) -> str:
        """The first digit and the last three, the rest starred: ``1******789``."""
        if len(self.digits) <= 4:
            return "*" * len(self.digits)
        return self.digits[0] + "*" * (len(self.digits) - 4) + self.digits[-3:]

    def __str__(self) -> str:
        return self.masked

    def __repr__(self) -> str:
        return f"IdentityNumber(masked={self.masked!r}, type={self.type.value!r})"


def _is_separator(char: str) -> bool:
    return char.isspace() or char in _SEPARATORS or unicodedata.category(char) == "Pd"


def normalize_identity_number(raw: object) -> str:
    """Drop separators and turn Arabic-Indic digits into ASCII; anything else is left as typed.

    The result is not validated: it may still hold letters or other scripts' digits, which the
    validator then refuses with its own message.
    """
    if raw is None:
        return ""
    return "".join(char for char in str(raw) if not _is_separator(char)).translate(_ARABIC_DIGITS)


def _luhn_total(digits: str, *, double_rightmost: bool) -> int:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if (position % 2 == 0) == double_rightmost:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total


def luhn_check_digit(prefix9: str) -> str:
    """Return the Luhn check digit that completes a 9-digit prefix into a Saudi identity number."""
    if len(prefix9) != SAUDI_IDENTITY_LENGTH - 1 or not _ASCII_DIGITS.fullmatch(prefix9):
        raise ValueError("The prefix must be exactly 9 ASCII digits.")
    return str((10 - _luhn_total(prefix9, double_rightmost=True) % 10) % 10)


def _luhn_is_valid(digits: str) -> bool:
    return _luhn_total(digits, double_rightmost=False) % 10 == 0


def _refuse(code: IdentityNumberErrorCode) -> ValidationError:
    return ValidationError(IDENTITY_NUMBER_MESSAGES[code], code=code.value)


def validate_saudi_identity_number(raw: object) -> IdentityNumber:
    """Validate a Saudi national ID (starts with 1) or residence number (starts with 2).

    Ten digits; the last is a Luhn check digit over all ten unless
    ``settings.LUMEIRE_IDENTITY_CHECK_DIGIT`` is off. Raises ``ValidationError`` with one of
    ``IdentityNumberErrorCode``.
    """
    digits = normalize_identity_number(raw)
    if not digits:
        raise _refuse(IdentityNumberErrorCode.EMPTY)
    # str.isdigit() would also pass Devanagari, Bengali or fullwidth digits; only ASCII is kept.
    if not _ASCII_DIGITS.fullmatch(digits):
        raise _refuse(IdentityNumberErrorCode.NON_DIGIT)
    if len(digits) != SAUDI_IDENTITY_LENGTH:
        raise _refuse(IdentityNumberErrorCode.WRONG_LENGTH)
    identity_type = _TYPE_BY_FIRST_DIGIT.get(digits[0])
    if identity_type is None:
        raise _refuse(IdentityNumberErrorCode.WRONG_FIRST_DIGIT)
    if getattr(settings, "LUMEIRE_IDENTITY_CHECK_DIGIT", True) and not _luhn_is_valid(digits):
        raise _refuse(IdentityNumberErrorCode.BAD_CHECK_DIGIT)
    return IdentityNumber(digits=digits, type=identity_type)


@lru_cache(maxsize=8)
def _validator_at(dotted_path: str) -> Callable[[object], IdentityNumber]:
    return import_string(dotted_path)


def parse_identity_number(raw: object) -> IdentityNumber:
    """Validate ``raw`` with the country rule named by ``settings.LUMEIRE_IDENTITY_VALIDATOR``."""
    return _validator_at(settings.LUMEIRE_IDENTITY_VALIDATOR)(raw)


def validate_identity_number(value: object) -> None:
    """Form and model field validator: raise ``ValidationError`` unless ``value`` parses."""
    parse_identity_number(value)
