"""Invoices as the law wants them printed: ZATCA QR code, PDF and HTML, from one description.

A pure package: no models and no queries. Orders describe an invoice with
``lumeire.invoicing.document.invoice_document`` and render it with ``pdf.invoice_pdf`` or the
``invoicing/invoice.html`` template.
"""
