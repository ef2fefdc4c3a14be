"""The HTML block: renders in the invoice's language with its QR image and totals."""

from __future__ import annotations

import base64
import dataclasses
import re
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from lumeire.invoicing.document import InvoiceLine
from lumeire.invoicing.html import invoice_context, invoice_html
from lumeire.invoicing.qr import qr_png_data_uri
from lumeire.invoicing.tests.documents import sample_document

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_qr_data_uri_is_a_png():
    uri = qr_png_data_uri(sample_document().qr_payload())
    prefix = "data:image/png;base64,"
    assert uri.startswith(prefix)
    assert base64.b64decode(uri.removeprefix(prefix)).startswith(PNG_SIGNATURE)


@pytest.mark.parametrize("language", ["en", "ar"])
def test_block_shows_qr_and_totals(language):
    document = sample_document(language)
    html = invoice_html(document)
    assert re.search(r'<img class="invoice__qr" src="data:image/png;base64,[A-Za-z0-9+/=]+"', html)
    assert qr_png_data_uri(document.qr_payload()) in html
    for fact in ("INV-2026-000042", "LUM-7K3Q-9F2D", "300000000000003"):
        assert fact in html
    for amount in ("771.04", "25.00", "119.41", "915.45", "342.70"):
        assert amount in html
    assert 'href="/static/invoicing/invoice.css"' in html
    # A strict CSP: nothing inline.
    assert "<script" not in html
    assert "style=" not in html
    assert "<style" not in html


def test_english_block_with_arabic_twins():
    html = invoice_html(sample_document("en"))
    assert 'lang="en" dir="ltr"' in html
    assert "Simplified tax invoice" in html
    assert '<span class="invoice__twin" lang="ar" dir="rtl">فاتورة ضريبية مبسطة</span>' in html
    assert "915.45&nbsp;SAR" in html
    assert "VAT 15%" in html


def test_arabic_block_reads_right_to_left_inside_an_english_page():
    with translation.override("en"):
        page = Template('{% include "invoicing/invoice.html" %}').render(
            Context(invoice_context(sample_document("ar")))
        )
    assert 'lang="ar" dir="rtl"' in page
    assert "فاتورة ضريبية مبسطة" in page
    assert "Simplified tax invoice" not in page
    assert "915.45&nbsp;ر.س" in page
    assert "ضريبة القيمة المضافة 15%" in page
    assert "شركة لوميير للتجارة" in page
    # The store's one Arabic date: Arabic month name and the Arabic comma.
    assert 'datetime="2026-11-26T13:15:30+03:00">26 نوفمبر 2026، 13:15</time>' in page
    assert translation.get_language() == "en"  # the block left the page's language alone


def test_descriptions_are_escaped():
    document = sample_document()
    line = InvoiceLine("<script>alert(1)</script>", 1, Decimal("0"), Decimal("0"), Decimal("0"))
    html = invoice_html(dataclasses.replace(document, lines=(*document.lines, line)))
    assert "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
