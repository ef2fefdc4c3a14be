"""Masked personal values: what every back office page shows until a reveal is asked for.

A mask keeps just enough to tell two records apart (a first letter, an email's domain, the last
digits of a phone; of an identity number only the first digit, its type) and never the length of
what it hides: every hidden part is the same run of stars.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from django.utils import timezone
from django.utils.translation import gettext as _

from lumeire.vault.fields import is_erased

STARS = "***"
IDENTITY_STARS = "*********"
SAUDI_MOBILE = re.compile(r"^\+966(5)\d{6}(\d{2})$")
AGE_BAND_WIDTH = 10


def _shown_as_is(value: object) -> bool:
    return value is None or is_erased(value) or not str(value).strip()


def _as_is(value: object) -> str:
    return "" if value is None else str(value)


# First-strong isolate and its end (U+2068, U+2069): an Arabic mask keeps its own direction.
FSI = "\u2068"
PDI = "\u2069"


def _right_to_left(text: str) -> bool:
    return any(unicodedata.bidirectional(char) in ("R", "AL") for char in text)


def isolated(text: str) -> str:
    """``text`` in a first-strong isolate when it holds right-to-left letters.

    "ع*** ا***" in an English page would otherwise show its stars on the wrong side of each
    letter and its words swapped: the stars are neutral and take the page's direction. Inside
    the isolate they take the name's. Latin masks need none and stay as they were.
    """
    return f"{FSI}{text}{PDI}" if _right_to_left(text) else text


def mask_text(value: object) -> str:
    """Each word as its first character and three stars: "Aisha Al-Harbi" -> "A*** A***".

    An Arabic name's mask comes isolated (``isolated``), so it reads in order on any page.
    """
    if _shown_as_is(value):
        return _as_is(value)
    return isolated(" ".join(word[0] + STARS for word in str(value).split()))


def mask_phone(value: object) -> str:
    """A phone with only its country, first and last two digits: "+966 5** *** *67"."""
    if _shown_as_is(value):
        return _as_is(value)
    phone = "".join(str(value).split())
    saudi = SAUDI_MOBILE.match(phone)
    if saudi:
        return f"+966 {saudi.group(1)}** *** *{saudi.group(2)}"
    if len(phone) < 6:
        return STARS
    return f"{phone[:3]}** *** *{phone[-2:]}"


def mask_email(value: object) -> str:
    """The first character of the mailbox and the domain: "aisha@example.com" -> "a***@..."."""
    if _shown_as_is(value):
        return _as_is(value)
    local, at, domain = str(value).strip().rpartition("@")
    if not at or not local or not domain:
        return mask_text(value)
    return f"{local[0]}{STARS}@{domain}"


def mask_identity_number(value: object) -> str:
    """Only the first digit, which says national ID (1) or residence number (2): "1*********".

    No other digit shows: with the last digits visible, a search by exact number would tell
    a guesser which of a few candidates is right.
    """
    if _shown_as_is(value):
        return _as_is(value)
    digits = "".join(ch for ch in str(value) if "0" <= ch <= "9")
    if not digits:
        return IDENTITY_STARS
    return f"{digits[0]}{IDENTITY_STARS}"


def age_band(value: object, *, today: dt.date | None = None) -> str:
    """A date of birth as a ten-year band ("30–39"): enough for context, not the date."""
    if _shown_as_is(value) or not isinstance(value, dt.date):
        return _as_is(value)
    today = today or timezone.localdate()
    age = today.year - value.year - ((today.month, today.day) < (value.month, value.day))
    low = max(age, 0) // AGE_BAND_WIDTH * AGE_BAND_WIDTH
    return _("aged %(low)s–%(high)s") % {"low": low, "high": low + AGE_BAND_WIDTH - 1}
