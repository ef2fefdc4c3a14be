"""The PDF: A4, its text readable back in both languages, Arabic shaped and laid out RTL."""

from __future__ import annotations

import dataclasses
import io
from decimal import Decimal

import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from lumeire.invoicing.credit_note import CreditNoteDocument
from lumeire.invoicing.document import InvoiceLine
from lumeire.invoicing.pdf import FONTS, credit_note_pdf, invoice_pdf
from lumeire.invoicing.tests.documents import sample_document

A4_POINTS = (595.28, 841.89)


@pytest.fixture(scope="module")
def pdfs():
    return {language: invoice_pdf(sample_document(language)) for language in ("en", "ar")}


def _text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.mark.parametrize("language", ["en", "ar"])
def test_pdf_holds_the_invoice_facts(pdfs, language):
    data = pdfs[language]
    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width), 2), round(float(box.height), 2)) == A4_POINTS
    text = _text(data)
    for fact in ("INV-2026-000042", "LUM-7K3Q-9F2D", "300000000000003", "915.45", "119.41"):
        assert fact in text
    assert "771.04" in text  # subtotal
    assert "342.70" in text  # a line's total with VAT


def test_english_pdf_carries_arabic_twins(pdfs):
    text = _text(pdfs["en"])
    assert "Simplified tax invoice" in text
    assert "فاتورة ضريبية مبسطة" in text
    assert "Lumeire Trading Co." in text


def test_arabic_pdf_is_in_arabic(pdfs):
    text = _text(pdfs["ar"])
    assert "فاتورة ضريبية مبسطة" in text
    assert "شركة لوميير للتجارة" in text
    assert "Simplified tax invoice" not in text
    assert PdfReader(io.BytesIO(pdfs["ar"])).metadata.title.startswith("فاتورة ضريبية مبسطة")


def _x_of(data: bytes, wanted: str) -> float:
    found = []

    def visit(text, cm, tm, font, size):
        if text.strip() == wanted:
            found.append(tm[4])

    PdfReader(io.BytesIO(data)).pages[0].extract_text(visitor_text=visit)
    assert found, wanted
    return found[0]


def test_arabic_pdf_runs_right_to_left(pdfs):
    # The label sits on the start side: right of its value in Arabic, left of it in English.
    assert _x_of(pdfs["ar"], "رقم الفاتورة") > _x_of(pdfs["ar"], "INV-2026-000042")
    assert _x_of(pdfs["en"], "Invoice number") < _x_of(pdfs["en"], "INV-2026-000042")


def _embedded_fonts(data: bytes):
    page = PdfReader(io.BytesIO(data)).pages[0]
    for font in page["/Resources"]["/Font"].values():
        font = font.get_object()
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
        yield font["/BaseFont"], TTFont(io.BytesIO(descriptor["/FontFile2"].get_data()))


def test_fonts_are_the_bundled_ones_and_arabic_is_shaped(pdfs):
    assert (FONTS / "DejaVuSans.ttf").is_file()
    assert (FONTS / "LICENSE-DejaVu.txt").is_file()
    fonts = list(_embedded_fonts(pdfs["ar"]))
    assert fonts
    assert all("DejaVuSans" in name for name, _font in fonts)
    # Shaped Arabic uses the joined (initial, medial, final) letter forms, U+FE70 to U+FEFF.
    codepoints = {cp for _name, font in fonts for cp in font.getBestCmap()}
    assert any(0xFE70 <= cp <= 0xFEFF for cp in codepoints)


def test_long_invoices_run_onto_more_pages():
    data = invoice_pdf(sample_document("ar", repeat=20))
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) >= 2
    last = reader.pages[-1].extract_text()
    assert "الإجمالي شامل الضريبة" in last
    assert f"صفحة {len(reader.pages)}" in last or f"{len(reader.pages)} صفحة" in last


def test_any_description_prints():
    # Glyphs the font lacks, markup-like text, bidi controls and unbreakable words.
    odd = "茶杯 🍵 <b>**bold**</b> \u202e"
    document = dataclasses.replace(
        sample_document("ar"),
        lines=(
            InvoiceLine(odd, 1, Decimal("10"), Decimal("10"), Decimal("1.50")),
            InvoiceLine("x" * 300, 1, Decimal("1"), Decimal("1"), Decimal("0.15")),
            InvoiceLine("كلمة" * 80, 2, Decimal("3"), Decimal("6"), Decimal("0.90")),
        ),
        subtotal=Decimal("17"),
        vat_total=Decimal("6.30"),
        total=Decimal("48.30"),
    )
    text = _text(invoice_pdf(document))
    assert "48.30" in text
    assert "**bold**" in text


@pytest.mark.parametrize("language", ["en", "ar"])
def test_a_credit_note_pdf_names_its_invoice_and_credits_every_amount(language):
    invoice = sample_document(language)
    note = CreditNoteDocument("CRN-2026-000007", invoice.issued_at, "refunded", invoice)

    data = credit_note_pdf(note)

    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    text = _text(data)
    assert reader.metadata.title.endswith("CRN-2026-000007")
    for fact in ("CRN-2026-000007", "INV-2026-000042", "LUM-7K3Q-9F2D", "300000000000003"):
        assert fact in text
    # Every amount credited, with its sign: the total, the VAT and a line.
    lines = text.replace("\u200e", "").splitlines()
    for amount in ("915.45", "119.41", "342.70"):
        assert any(amount in line and "-" in line for line in lines), amount
    if language == "en":
        assert "Credit note" in text and "The order was refunded" in text
        assert "إشعار دائن" in text  # the Arabic twin of the title
    else:
        assert "إشعار دائن" in text
    assert "Simplified tax invoice" not in text.split("\n")[0]
