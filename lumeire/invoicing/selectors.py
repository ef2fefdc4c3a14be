"""Reading credit notes: other apps ask here, by the order's id, never query the table."""

from __future__ import annotations

from lumeire.invoicing.models import CreditNote


def credit_note_of_order(order_id) -> CreditNote | None:
    """The credit note that cancels the order's invoice, or None while the invoice stands."""
    return CreditNote.objects.filter(order_id=order_id).first()
