"""How the store writes a date, a time and an amount, in one place for pages, emails and files.

Dates use the language's DATE_FORMAT / DATETIME_FORMAT (``lumeire.core.formats``): Arabic month
names and the Arabic comma in Arabic. Amounts are ``1,234.50`` with the currency's symbol in the
reader's language ("SAR", "ر.س"), whatever the page, email or invoice.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import pgettext_lazy

from lumeire.core.money import round_money

# Symbols printed after amounts; any other currency shows its ISO code.
CURRENCY_SYMBOLS = {"SAR": pgettext_lazy("currency", "SAR")}


def currency_symbol(currency: str | None = None) -> str:
    """The currency's symbol in the active language: "SAR" in English, "ر.س" in Arabic."""
    code = currency or settings.LUMEIRE_CURRENCY
    return str(CURRENCY_SYMBOLS.get(code, code))


def amount_text(amount: Decimal | int | str) -> str:
    """``1234.5`` as ``1,234.50``: Western digits in both languages, as Saudi invoices print."""
    return f"{round_money(Decimal(amount)):,.2f}"


def money_text(amount: Decimal | int | str | None, currency: str | None = None) -> str:
    """An amount with its currency: ``1,234.50 SAR`` (``1,234.50 ر.س`` in Arabic); a no-break
    space keeps the symbol with its number."""
    if amount is None or amount == "":
        return ""
    return f"{amount_text(amount)}\u00a0{currency_symbol(currency)}"


def _moment(value: object) -> date | None:
    """A date or datetime from a value or its ISO text (exports keep ISO text in data.json)."""
    if isinstance(value, datetime | date):
        return value
    if isinstance(value, str) and value.strip():
        text = value.strip()
        try:
            return datetime.fromisoformat(text) if "T" in text else date.fromisoformat(text)
        except ValueError:
            return None
    return None


def date_text(value: object) -> str:
    """A day as the store writes it: "8 December 2026", "8 ديسمبر 2026"; "" when there is none.

    Text that is not a date is returned as it is, so a template never loses what it was given.
    """
    moment = _moment(value)
    if moment is None:
        return "" if value is None else str(value)
    if isinstance(moment, datetime) and timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return formats.date_format(moment, "DATE_FORMAT")


def datetime_text(value: object) -> str:
    """A moment in the store's time zone: "8 December 2026, 14:05", "8 ديسمبر 2026، 14:05"."""
    moment = _moment(value)
    if moment is None:
        return "" if value is None else str(value)
    if not isinstance(moment, datetime):
        return formats.date_format(moment, "DATE_FORMAT")
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return formats.date_format(moment, "DATETIME_FORMAT")
