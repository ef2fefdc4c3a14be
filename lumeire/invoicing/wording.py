"""The invoice's words and number formats, shared by the PDF and the page.

An English invoice carries each label's Arabic twin too: ZATCA wants a tax invoice readable in
Arabic, and may add another language beside it. An Arabic invoice needs no twin.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lumeire.core.money import round_money
from lumeire.invoicing.document import InvoiceDocument

_LABELS = {
    "title": _("Simplified tax invoice"),
    "seller": _("Seller"),
    "vat_number": _("VAT registration number"),
    "number": _("Invoice number"),
    "order_number": _("Order number"),
    "issued_at": _("Date and time of issue"),
    "currency": _("Currency"),
    "lines": _("Items"),
    "description": _("Description"),
    "quantity": _("Quantity"),
    "unit_price": _("Unit price before VAT"),
    "unit_price_gross": _("Unit price with VAT"),
    "vat": _("VAT"),
    "gross": _("Total with VAT"),
    "shipping": _("Shipping"),
    "subtotal": _("Subtotal before VAT"),
    "shipping_net": _("Shipping before VAT"),
    "total": _("Total with VAT"),
    "qr": _("QR code of this invoice, for checking it with ZATCA"),
}
# With a value filled in when the invoice is worded.
_VAT_RATE = _("VAT %(rate)s%%")
_SHIPPING_LINE = _("Shipping: %(method)s")
_PAGE = _("Page %(number)s")
# Symbols printed after amounts, and names for the currency line; others show the ISO code.
_CURRENCY_SYMBOLS = {"SAR": pgettext_lazy("currency", "SAR")}
_CURRENCY_NAMES = {"SAR": pgettext_lazy("currency name", "Saudi riyal")}


@dataclass(frozen=True)
class Label:
    """A label in the invoice's language, with its Arabic twin on a non-Arabic invoice."""

    text: str
    arabic: str = ""

    def __str__(self) -> str:
        return self.text


def rate_text(rate: Decimal) -> str:
    """``0.15`` as ``15``."""
    return f"{(rate * 100).normalize():f}"


def amount_text(amount: Decimal) -> str:
    """``1234.5`` as ``1,234.50``: Western digits in both languages, as Saudi invoices print."""
    return f"{round_money(amount):,.2f}"


def issued_text(moment: datetime) -> str:
    """The time of issue in the store's time zone, to the minute."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _worded(language: str, rate: Decimal, currency: str, shipping_name: str) -> dict[str, str]:
    with translation.override(language):
        words = {key: str(text) for key, text in _LABELS.items()}
        words["vat_rate"] = str(_VAT_RATE) % {"rate": rate_text(rate)}
        words["shipping_line"] = str(_SHIPPING_LINE) % {"method": shipping_name}
        words["page"] = str(_PAGE)
        words["currency_symbol"] = str(_CURRENCY_SYMBOLS.get(currency, currency))
        words["currency_name"] = str(_CURRENCY_NAMES.get(currency, currency))
    return words


def invoice_wording(document: InvoiceDocument) -> dict[str, Label]:
    """Every label the invoice prints, by key, in the document's language (and Arabic twins).

    ``page`` keeps its ``%(number)s`` placeholder; the shipping line's twin omits the method,
    whose name exists only in the invoice's language.
    """
    words = _worded(document.language, document.vat_rate, document.currency, document.shipping_name)
    twins: dict[str, str] = {}
    if document.language != "ar":
        twins = _worded("ar", document.vat_rate, document.currency, "")
        twins["shipping_line"] = twins["shipping"]
        for key in ("currency_symbol", "currency_name", "page", "qr"):
            twins.pop(key)
    return {key: Label(text, twins.get(key, "")) for key, text in words.items()}
