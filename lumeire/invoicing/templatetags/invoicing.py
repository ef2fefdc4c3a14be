"""Template helpers for ``invoicing/invoice.html``: the invoice's words and number formats."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django import template

from lumeire.invoicing import wording
from lumeire.invoicing.document import InvoiceDocument

register = template.Library()


@register.simple_tag
def invoice_wording(document: InvoiceDocument) -> dict[str, wording.Label]:
    """``{% invoice_wording document as words %}``: labels in the invoice's own language."""
    return wording.invoice_wording(document)


@register.filter
def invoice_amount(amount: Decimal) -> str:
    """``1,234.50``: the same digits as the PDF."""
    return wording.amount_text(amount)


@register.filter
def invoice_time(moment: datetime, language: str | None = None) -> str:
    """The time of issue in the store's time zone, as the PDF prints it, in ``language``."""
    return wording.issued_text(moment, language)


@register.simple_tag
def credit_note_wording(document) -> dict[str, wording.Label]:
    """``{% credit_note_wording document as words %}``: a credit note's labels."""
    from lumeire.invoicing.credit_note import credit_note_wording as worded

    return worded(document)
