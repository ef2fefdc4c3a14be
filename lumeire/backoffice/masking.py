"""Masked personal values for staff whose role may not see them in clear.

A mask keeps just enough to tell two parcels apart on a shelf (a first letter, the last digits
of a phone) and never the length of what it hides: every hidden part is the same three stars.
"""

from __future__ import annotations

import re

from lumeire.vault.fields import is_erased

STARS = "***"
SAUDI_MOBILE = re.compile(r"^\+966(5)\d{6}(\d{2})$")


def _shown_as_is(value: object) -> bool:
    return value is None or is_erased(value) or not str(value).strip()


def mask_text(value: object) -> str:
    """Each word as its first character and three stars: "Aisha Al-Harbi" -> "A*** A***"."""
    if _shown_as_is(value):
        return "" if value is None else str(value)
    return " ".join(word[0] + STARS for word in str(value).split())


def mask_phone(value: object) -> str:
    """A phone with only its country, first and last two digits: "+966 5** *** *67"."""
    if _shown_as_is(value):
        return "" if value is None else str(value)
    phone = "".join(str(value).split())
    saudi = SAUDI_MOBILE.match(phone)
    if saudi:
        return f"+966 {saudi.group(1)}** *** *{saudi.group(2)}"
    if len(phone) < 6:
        return STARS
    return f"{phone[:3]}** *** *{phone[-2:]}"
