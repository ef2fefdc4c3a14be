"""The invoice as a page block: the template's context, or the block rendered on its own."""

from __future__ import annotations

from django.template.loader import render_to_string

from lumeire.invoicing.document import InvoiceDocument
from lumeire.invoicing.qr import qr_png_data_uri


def invoice_context(document: InvoiceDocument) -> dict[str, object]:
    """What ``{% include "invoicing/invoice.html" %}`` needs: the document and its QR image."""
    return {"document": document, "qr_data_uri": qr_png_data_uri(document.qr_payload())}


def invoice_html(document: InvoiceDocument) -> str:
    """The invoice block alone, for an email or a test; pages include the template instead."""
    return render_to_string("invoicing/invoice.html", invoice_context(document))


def credit_note_context(document) -> dict[str, object]:
    """What ``{% include "invoicing/credit_note.html" %}`` needs: the note and its QR image."""
    return {"document": document, "qr_data_uri": qr_png_data_uri(document.qr_payload())}


def credit_note_html(document) -> str:
    """The credit note block alone, for an email or a test."""
    return render_to_string("invoicing/credit_note.html", credit_note_context(document))
