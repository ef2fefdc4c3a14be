"""What a credit note says: the invoice it credits, negated, with its own number, date and reason.

ZATCA wants a credit note to name the invoice it adjusts, carry its own sequential number and
date, say why, and state the credited amounts with their VAT. The store credits whole invoices
(it cancels or refunds orders, never parts), so the note is the invoice's lines and totals with
the sign turned. Nothing here reads the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from lumeire.invoicing.document import InvoiceDocument
from lumeire.invoicing.wording import Label, invoice_wording
from lumeire.invoicing.zatca import tlv_base64

REASONS = {
    "cancelled": _("The order was cancelled"),
    "refunded": _("The order was refunded"),
}
_LABELS = {
    "title": _("Credit note"),
    "number": _("Credit note number"),
    "credits": _("Credits invoice number"),
    "issued_at": _("Date and time of issue"),
    "reason": _("Reason"),
    "credited": _("Credited with VAT"),
    "total": _("Total credited with VAT"),
    "vat_credited": _("VAT credited"),
    "net_credited": _("Credited before VAT"),
    "qr": _("QR code of this credit note, for checking it with ZATCA"),
}


def _negated(amount: Decimal) -> Decimal:
    """The amount credited: ``-amount``, with no "-0.00" for nothing."""
    return Decimal("0.00") - amount


@dataclass(frozen=True)
class CreditLine:
    description: str
    quantity: int
    unit_price: Decimal  # negated
    gross: Decimal  # negated


@dataclass(frozen=True)
class CreditNoteDocument:
    """A credit note of the whole ``invoice``: every amount the invoice's, negated."""

    number: str  # e.g. "CRN-2026-000007"
    issued_at: datetime  # aware
    reason: str  # "cancelled" or "refunded"
    invoice: InvoiceDocument

    def __post_init__(self) -> None:
        if not self.number.strip():
            raise ValueError("A credit note needs a number.")
        if self.issued_at.tzinfo is None or self.issued_at.utcoffset() is None:
            raise ValueError("A credit note's time of issue must be timezone-aware.")
        if self.reason not in REASONS:
            raise ValueError(f"A credit note's reason is one of {tuple(REASONS)}.")

    @property
    def language(self) -> str:
        return self.invoice.language

    @property
    def direction(self) -> str:
        return self.invoice.direction

    @property
    def lines(self) -> tuple[CreditLine, ...]:
        return tuple(
            CreditLine(
                line.description, line.quantity, _negated(line.unit_price), _negated(line.gross)
            )
            for line in self.invoice.lines
        )

    @property
    def shipping(self) -> Decimal:
        return _negated(self.invoice.shipping_gross)

    @property
    def total(self) -> Decimal:
        return _negated(self.invoice.total)

    @property
    def vat_total(self) -> Decimal:
        return _negated(self.invoice.vat_total)

    @property
    def net(self) -> Decimal:
        return self.total - self.vat_total

    def qr_payload(self) -> str:
        """The QR payload: seller, VAT number, the note's time, and the credited amounts."""
        return tlv_base64(
            seller_name=self.invoice.seller_name,
            vat_number=self.invoice.vat_number,
            timestamp=self.issued_at,
            total=self.invoice.total,
            vat_total=self.invoice.vat_total,
        )


def credit_note_wording(document: CreditNoteDocument) -> dict[str, Label]:
    """The invoice's labels plus the credit note's own, in its language with Arabic twins."""
    words = dict(invoice_wording(document.invoice))
    language = document.language
    with translation.override(language):
        own = {key: str(text) for key, text in _LABELS.items()}
        own["reason_text"] = str(REASONS[document.reason])
    twins: dict[str, str] = {}
    if language != "ar":
        with translation.override("ar"):
            twins = {key: str(text) for key, text in _LABELS.items()}
            twins["reason_text"] = str(REASONS[document.reason])
        twins.pop("qr")
    words.update({key: Label(text, twins.get(key, "")) for key, text in own.items()})
    return words
