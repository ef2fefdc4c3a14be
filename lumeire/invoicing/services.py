"""Issuing credit notes. Orders call ``credit_note_issue`` when an invoiced order is cancelled
or refunded, inside the same transaction as the move; nothing else writes these tables."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from lumeire.invoicing.models import CreditNote, CreditNoteSequence, CreditReason


def next_credit_note_number(year: int) -> str:
    """The next number of the year's gap-free credit note series (``CRN-2026-000001``)."""
    CreditNoteSequence.objects.get_or_create(year=year)
    sequence = CreditNoteSequence.objects.select_for_update().get(year=year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return f"CRN-{year}-{sequence.last:06d}"


@transaction.atomic
def credit_note_issue(*, order, reason: str) -> CreditNote | None:
    """The credit note of ``order``'s invoice, issued once: asking again returns the same note.

    ``order`` is an invoiced order (its ``invoice_number``, ``total``, ``vat`` and ``currency``
    are read, nothing else); an order without an invoice gets no note (None). The note credits
    the whole invoice: the store cancels or refunds orders, never parts of them.
    """
    if not getattr(order, "invoice_number", ""):
        return None
    existing = CreditNote.objects.filter(order_id=order.pk).first()
    if existing is not None:
        return existing
    now = timezone.now()
    return CreditNote.objects.create(
        number=next_credit_note_number(timezone.localdate(now).year),
        order_id=order.pk,
        invoice_number=order.invoice_number,
        reason=CreditReason(reason),
        issued_at=now,
        currency=order.currency,
        total=order.total,
        vat=order.vat,
    )
