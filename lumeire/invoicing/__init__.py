"""Invoices as the law wants them printed: ZATCA QR code, PDF and HTML, from one description;
and credit notes, the one thing this app stores (``models.CreditNote``).

Orders describe an invoice with ``lumeire.invoicing.document.invoice_document`` and render it
with ``pdf.invoice_pdf`` or the ``invoicing/invoice.html`` template. When an invoiced order is
cancelled or refunded, orders call ``services.credit_note_issue``; the note is rendered from the
invoice (``credit_note.CreditNoteDocument``, ``invoicing/credit_note.html``).
"""
