"""Credit notes: what cancels or refunds an invoiced order, as the e-invoicing rules require.

An invoice, once issued, is never changed or deleted; a cancelled or refunded order gets a
credit note instead, with its own gap-free number, its date, its reason, the credited amounts
with their VAT, and the number of the invoice it credits. The order's lines are not copied:
an order is a snapshot that never changes, so the note prints them from it, negated.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CreditReason(models.TextChoices):
    CANCELLED = "cancelled", _("The order was cancelled")
    REFUNDED = "refunded", _("The order was refunded")


class CreditNoteSequence(models.Model):
    """The last credit note number given in a year: numbered without gaps, apart from invoices."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class CreditNote(models.Model):
    """The whole of one order's invoice credited back: one note per order, never edited."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    number = models.CharField(max_length=24, unique=True, editable=False)  # CRN-2026-000001
    order = models.OneToOneField(
        "orders.Order", on_delete=models.PROTECT, related_name="credit_note", editable=False
    )
    invoice_number = models.CharField(max_length=24, editable=False)  # the invoice it credits
    reason = models.CharField(max_length=12, choices=CreditReason.choices, editable=False)
    issued_at = models.DateTimeField(default=timezone.now, editable=False)
    currency = models.CharField(max_length=3, editable=False)
    total = models.DecimalField(max_digits=12, decimal_places=2, editable=False)  # with VAT
    vat = models.DecimalField(max_digits=12, decimal_places=2, editable=False)

    not_personal = {
        "number": "the credit note's own number",
        "invoice_number": "the number of the invoice it credits",
        "reason": "why the store credited the order, one of a fixed list",
    }

    class Meta:
        ordering = ["-issued_at", "-number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(total__gte=0), name="credit_note_total_not_negative"
            ),
            models.CheckConstraint(condition=Q(vat__gte=0), name="credit_note_vat_not_negative"),
        ]

    def __str__(self) -> str:
        return self.number
