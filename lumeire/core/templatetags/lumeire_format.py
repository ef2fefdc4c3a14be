"""``{% load lumeire_format %}``: the store's one way of writing dates and money in templates."""

from __future__ import annotations

from django import template

from lumeire.core import formatting
from lumeire.core.countries import country_name as _country_name

register = template.Library()


@register.filter
def human_date(value: object) -> str:
    """``{{ when|human_date }}``: "8 December 2026" / "8 ديسمبر 2026"."""
    return formatting.date_text(value)


@register.filter
def human_datetime(value: object) -> str:
    """``{{ when|human_datetime }}``: "8 December 2026, 14:05" / "8 ديسمبر 2026، 14:05"."""
    return formatting.datetime_text(value)


@register.filter
def money(amount: object, currency: str | None = None) -> str:
    """``{{ amount|money }}`` or ``{{ amount|money:order.currency }}``: "1,234.50 ر.س" in Arabic."""
    return formatting.money_text(amount, currency or None)


@register.filter
def country(code: object) -> str:
    """``{{ code|country }}``: "Saudi Arabia" for "SA", in the reader's language."""
    return _country_name(code)
