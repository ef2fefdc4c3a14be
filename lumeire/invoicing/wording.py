"""The invoice's words and number formats, shared by the PDF and the page.

An English invoice carries each label's Arabic twin too: ZATCA wants a tax invoice readable in
Arabic, and may add another language beside it. An Arabic invoice needs no twin.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lumeire.core import formatting
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
_CREDITED_BY = _("Cancelled — see credit note %(number)s")
# Symbols printed after amounts, and names for the currency line; others show the ISO code.
_CURRENCY_SYMBOLS = formatting.CURRENCY_SYMBOLS
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
    return formatting.amount_text(amount)


def issued_text(moment: datetime, language: str | None = None) -> str:
    """The time of issue in the store's time zone, to the minute, written as the rest of the
    store writes dates in the invoice's language (``lumeire.core.formatting``)."""
    with translation.override(language or translation.get_language() or "en"):
        return formatting.datetime_text(moment)


def _worded(language: str, rate: Decimal, currency: str, shipping_name: str) -> dict[str, str]:
    with translation.override(language):
        words = {key: str(text) for key, text in _LABELS.items()}
        words["vat_rate"] = str(_VAT_RATE) % {"rate": rate_text(rate)}
        words["shipping_line"] = str(_SHIPPING_LINE) % {"method": shipping_name}
        words["page"] = str(_PAGE)
        words["currency_symbol"] = str(_CURRENCY_SYMBOLS.get(currency, currency))
        words["currency_name"] = str(_CURRENCY_NAMES.get(currency, currency))
        words["credited_by"] = str(_CREDITED_BY)
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
    labels = {key: Label(text, twins.get(key, "")) for key, text in words.items()}
    number = {"number": document.credited_by}
    labels["credited_by"] = Label(
        words["credited_by"] % number, twins["credited_by"] % number if twins else ""
    )
    # The page sets the number apart (left to right, never broken at its hyphens): the words
    # before and after it, in the invoice's language and in the Arabic twin.
    before, _, after = words["credited_by"].partition("%(number)s")
    twin_before, _, twin_after = twins.get("credited_by", "").partition("%(number)s")
    labels["credited_before"] = Label(before, twin_before)
    labels["credited_after"] = Label(after, twin_after)
    return labels
