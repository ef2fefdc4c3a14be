"""The invoice as an A4 PDF, laid out from the start side so that Arabic mirrors itself.

Fonts come from ``fonts/`` (DejaVu Sans, which has Arabic glyphs), never from the machine, and
HarfBuzz shapes the text: Arabic letters join, and each string runs in its own direction.
"""

from __future__ import annotations

import io
import logging
import re
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import MethodReturnValue, XPos, YPos

from lumeire.invoicing.credit_note import CreditNoteDocument, credit_note_wording
from lumeire.invoicing.document import InvoiceDocument
from lumeire.invoicing.qr import qr_png
from lumeire.invoicing.wording import Label, amount_text, invoice_wording, issued_text

# fontTools logs each glyph it keeps when fpdf2 subsets the font: dozens of INFO lines a PDF.
logging.getLogger("fontTools.subset").setLevel(logging.WARNING)

FONTS = Path(__file__).resolve().parent / "fonts"
FONT = "DejaVuSans"

PAGE_WIDTH = 210.0
PAGE_HEIGHT = 297.0
MARGIN = 15.0
CONTENT = PAGE_WIDTH - 2 * MARGIN
BOTTOM = PAGE_HEIGHT - 20.0  # content stops here; the footer sits below
QR_SIZE = 38.0

INK = (29, 36, 51)
SOFT = (92, 99, 115)
RULE = (214, 208, 198)
WASH = (245, 240, 232)
VOID = (160, 32, 32)  # "cancelled — see credit note"

# Arabic letters (and their presentation forms): text with any of them runs right to left.
_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
# The lines' columns: (start offset, width, side the text keeps to), from the start side.
_COLUMNS = {
    "description": (0.0, 74.0, "start"),
    "quantity": (74.0, 18.0, "end"),
    "unit_price": (92.0, 30.0, "end"),
    "vat": (122.0, 26.0, "end"),
    "gross": (148.0, 32.0, "end"),
}
# Prices with VAT included: no VAT per line (the invoice's VAT comes from its total).
_COLUMNS_VAT_INCLUDED = {
    "description": (0.0, 92.0, "start"),
    "quantity": (92.0, 18.0, "end"),
    "unit_price": (110.0, 35.0, "end"),
    "gross": (145.0, 35.0, "end"),
}


def _columns(document: InvoiceDocument) -> dict[str, tuple[float, float, str]]:
    return _COLUMNS_VAT_INCLUDED if document.prices_include_vat else _COLUMNS


def _line_height(size: float) -> float:
    """1.35 lines per em, in millimetres."""
    return size * 0.3528 * 1.35


class _Sheet(FPDF):
    """fpdf2 with the bundled font, start/end placement and the document's footer.

    ``document`` is the invoice (or the invoice a credit note credits): its language, seller and
    table layout; ``number`` and ``issued_at`` are those of what is printed.
    """

    def __init__(
        self,
        document: InvoiceDocument,
        words: dict[str, Label],
        *,
        number: str,
        issued_at: datetime,
        columns: dict[str, tuple[float, float, str]],
        column_labels: dict[str, Label],
    ) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.document = document
        self.words = words
        self.number = number
        self.columns = columns
        self.column_labels = column_labels
        self.rtl = document.direction == "rtl"
        self.set_margins(MARGIN, MARGIN, MARGIN)
        # Pages break only where a row or the totals would cross BOTTOM: never inside a row.
        self.set_auto_page_break(False)
        self.add_font(FONT, "", FONTS / "DejaVuSans.ttf")
        self.add_font(FONT, "B", FONTS / "DejaVuSans-Bold.ttf")
        self.set_text_color(*INK)
        self.set_draw_color(*RULE)
        self.set_lang(document.language)
        self.set_title(f"{words['title']} {number}")
        self.set_author(document.seller_name)
        self.set_creator("Lumeire")
        self.set_creation_date(issued_at)

    def x_of(self, start: float, width: float) -> float:
        """The left edge of a box ``start`` mm from the start side of the content."""
        if self.rtl:
            return PAGE_WIDTH - MARGIN - start - width
        return MARGIN + start

    def align_of(self, side: str) -> str:
        if side == "end":
            return "L" if self.rtl else "R"
        return "R" if self.rtl else "L"

    def _use(self, text: str, size: float, bold: bool) -> None:
        self.set_font(FONT, "B" if bold else "", size)
        # A date or a code has no strong letters and must keep its order in an Arabic line.
        self.set_text_shaping(True, direction="rtl" if _ARABIC.search(text) else "ltr")

    def height_of(self, text: str, width: float, *, size: float = 9, bold: bool = False) -> float:
        if not text:
            return 0.0
        self._use(text, size, bold)
        lines = self.multi_cell(
            width, _line_height(size), text, dry_run=True, output=MethodReturnValue.LINES
        )
        return len(lines) * _line_height(size)

    def put(
        self,
        text: str,
        start: float,
        width: float,
        y: float,
        *,
        side: str = "start",
        size: float = 9,
        bold: bool = False,
        color: tuple[int, int, int] = INK,
    ) -> float:
        """Write wrapped text in a column; return its height."""
        if not text:
            return 0.0
        self._use(text, size, bold)
        self.set_text_color(*color)
        self.set_xy(self.x_of(start, width), y)
        self.multi_cell(
            width,
            _line_height(size),
            text,
            align=self.align_of(side),
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        self.set_text_color(*INK)
        return self.get_y() - y

    def rule(self, y: float, *, weight: float = 0.2, color: tuple[int, int, int] = RULE) -> None:
        self.set_line_width(weight)
        self.set_draw_color(*color)
        self.line(MARGIN, y, PAGE_WIDTH - MARGIN, y)

    def footer(self) -> None:
        y = PAGE_HEIGHT - 12
        self.rule(y - 1.5)
        self.put(self.number, 0, 90, y, size=7.5, color=SOFT)
        page = self.words["page"].text % {"number": self.page_no()}
        self.put(page, 90, 90, y, side="end", size=7.5, color=SOFT)


def _head(
    sheet: _Sheet, facts: tuple[tuple[str, str], ...], qr_payload: str, *, voided: bool = False
) -> float:
    """Title, the facts (label key, value) and the QR code; returns where the lines start.
    ``voided``: an invoice a credit note cancelled, which says so under its title."""
    words = sheet.words
    title = words["title"]
    y = MARGIN
    if title.arabic:
        height = sheet.put(title.text, 0, 105, y, size=16, bold=True)
        height = max(height, sheet.put(title.arabic, 105, 75, y, side="end", size=16, bold=True))
    else:
        height = sheet.put(title.text, 0, CONTENT, y, size=16, bold=True)
    y += height + 4
    if voided:
        # In both languages when the invoice has an Arabic twin.
        credited = words["credited_by"]
        y += sheet.put(credited.text, 0, CONTENT, y - 2, size=10, bold=True, color=VOID) + 1
        if credited.arabic:
            y += sheet.put(credited.arabic, 0, CONTENT, y - 2, size=10, bold=True, color=VOID) + 1
    sheet.rule(y - 2, weight=0.4, color=INK)

    qr_top = y + 1
    sheet.image(
        io.BytesIO(qr_png(qr_payload)),
        x=sheet.x_of(CONTENT - QR_SIZE, QR_SIZE),
        y=qr_top,
        w=QR_SIZE,
        h=QR_SIZE,
        alt_text=words["qr"].text,
    )
    label_width, value_width = (46.0, 52.0) if words["title"].arabic else (52.0, 86.0)
    for key, value in facts:
        label = words[key]
        row = sheet.put(label.text, 0, label_width, y + 1, size=8.5, color=SOFT)
        row = max(row, sheet.put(value, label_width, value_width, y + 1, size=9, bold=True))
        if label.arabic:
            twin_start = label_width + value_width
            twin = sheet.put(label.arabic, twin_start, 40, y + 1, side="end", size=8.5, color=SOFT)
            row = max(row, twin)
        y += row + 1.2
    return max(y, qr_top + QR_SIZE) + 6


def _header_row(sheet: _Sheet, y: float) -> float:
    columns = sheet.columns
    height = 0.0
    for key, (_start, width, _side) in columns.items():
        label = sheet.column_labels[key]
        both = sheet.height_of(label.text, width, size=8, bold=True)
        both += sheet.height_of(label.arabic, width, size=7.5)
        height = max(height, both)
    height += 3
    sheet.set_fill_color(*WASH)
    sheet.rect(MARGIN, y, CONTENT, height, style="F")
    for key, (start, width, side) in columns.items():
        label = sheet.column_labels[key]
        used = sheet.put(label.text, start, width, y + 1.5, side=side, size=8, bold=True)
        sheet.put(label.arabic, start, width, y + 1.5 + used, side=side, size=7.5, color=SOFT)
    return y + height


def _row(sheet: _Sheet, cells: dict[str, str], y: float, *, twin: str = "") -> float:
    """One line of the table, moved whole to a new page when it would cross the bottom."""
    columns = sheet.columns
    description_width = columns["description"][1]
    height = sheet.height_of(cells["description"], description_width)
    height += sheet.height_of(twin, description_width, size=7.5)
    height = max(height, _line_height(9)) + 3
    if y + height > BOTTOM:
        sheet.add_page()
        y = _header_row(sheet, MARGIN)
    for key, (start, width, side) in columns.items():
        used = sheet.put(cells[key], start, width, y + 1.5, side=side)
        if key == "description":
            sheet.put(twin, start, width, y + 1.5 + used, side=side, size=7.5, color=SOFT)
    sheet.rule(y + height)
    return y + height


def _totals(sheet: _Sheet, y: float, rows: tuple[tuple[str, Decimal], ...]) -> None:
    """The totals (label key, amount), the last one ruled and bold."""
    words = sheet.words
    symbol = words["currency_symbol"].text
    if y + 4 + len(rows) * 8 > BOTTOM:
        sheet.add_page()
        y = MARGIN
    y += 4
    for key, amount in rows:
        label, last = words[key], key == rows[-1][0]
        if last:
            sheet.rule(y - 1, weight=0.4, color=INK)
        size = 10.5 if last else 9
        if label.arabic:
            used = sheet.put(label.text, 20, 45, y, size=size, bold=last)
            used = max(used, sheet.put(label.arabic, 65, 70, y, side="end", size=size, bold=last))
        else:
            used = sheet.put(label.text, 20, 115, y, size=size, bold=last)
        # Beside the Arabic symbol, a left-to-right mark first: a credited (negative) amount
        # keeps its sign on the left of its digits, as the credit note page shows it.
        mark = "\u200e" if _ARABIC.search(symbol) else ""
        money = f"{mark}{amount_text(amount)}\u00a0{symbol}"
        used = max(used, sheet.put(money, 135, 45, y, side="end", size=size, bold=last))
        y += used + 1.5


def _printed(
    sheet: _Sheet,
    facts: tuple[tuple[str, str], ...],
    qr_payload: str,
    rows: list[dict[str, str]],
    totals: tuple[tuple[str, Decimal], ...],
    *,
    voided: bool = False,
) -> bytes:
    """The head, the lines (the last one the delivery, with its Arabic twin) and the totals."""
    sheet.add_page()
    y = _header_row(sheet, _head(sheet, facts, qr_payload, voided=voided))
    shipping = sheet.words["shipping_line"]
    for index, cells in enumerate(rows):
        last = index == len(rows) - 1
        y = _row(sheet, cells, y, twin=shipping.arabic if last else "")
    _totals(sheet, y, totals)
    return bytes(sheet.output())


def invoice_pdf(document: InvoiceDocument) -> bytes:
    """The invoice as PDF bytes: A4, as many pages as its lines need, QR code on the first."""
    words = invoice_wording(document)
    columns = _columns(document)
    gross_unit = document.prices_include_vat
    labels = {
        key: words["unit_price_gross" if key == "unit_price" and gross_unit else key]
        for key in columns
    }
    sheet = _Sheet(
        document,
        words,
        number=document.number,
        issued_at=document.issued_at,
        columns=columns,
        column_labels=labels,
    )
    facts = (
        ("seller", document.seller_name),
        ("vat_number", document.vat_number),
        ("number", document.number),
        ("order_number", document.order_number),
        ("issued_at", issued_text(document.issued_at, document.language)),
        ("currency", f"{words['currency_name']} ({document.currency})"),
    )
    rows = [
        {
            "description": line.description,
            "quantity": str(line.quantity),
            "unit_price": amount_text(line.unit_price),
            "vat": amount_text(line.vat),
            "gross": amount_text(line.gross),
        }
        for line in document.lines
    ]
    shipping_unit = document.shipping_gross if gross_unit else document.shipping_net
    rows.append(
        {
            "description": words["shipping_line"].text,
            "quantity": "",
            "unit_price": amount_text(shipping_unit),
            "vat": amount_text(document.shipping_vat),
            "gross": amount_text(document.shipping_gross),
        }
    )
    totals = (
        ("subtotal", document.subtotal),
        ("shipping_net", document.shipping_net),
        ("vat_rate", document.vat_total),
        ("total", document.total),
    )
    voided = bool(document.credited_by)
    return _printed(sheet, facts, document.qr_payload(), rows, totals, voided=voided)


def credit_note_pdf(note: CreditNoteDocument) -> bytes:
    """The credit note as PDF bytes, laid out as its invoice is: the same facts and lines with
    the credited amounts (negative), its own number, time of issue, reason and QR code."""
    invoice = note.invoice
    words = credit_note_wording(note)
    labels = {
        "description": words["description"],
        "quantity": words["quantity"],
        "unit_price": words["unit_price_gross"],
        "gross": words["credited"],
    }
    sheet = _Sheet(
        invoice,
        words,
        number=note.number,
        issued_at=note.issued_at,
        columns=_COLUMNS_VAT_INCLUDED,
        column_labels=labels,
    )
    facts = (
        ("seller", invoice.seller_name),
        ("vat_number", invoice.vat_number),
        ("number", note.number),
        ("credits", invoice.number),
        ("order_number", invoice.order_number),
        ("issued_at", issued_text(note.issued_at, note.language)),
        ("reason", words["reason_text"].text),
        ("currency", f"{words['currency_name']} ({invoice.currency})"),
    )
    rows = [
        {
            "description": line.description,
            "quantity": str(line.quantity),
            "unit_price": amount_text(line.unit_price),
            "gross": amount_text(line.gross),
        }
        for line in note.lines
    ]
    shipping = amount_text(note.shipping)
    rows.append(
        {
            "description": words["shipping_line"].text,
            "quantity": "",
            "unit_price": shipping,
            "gross": shipping,
        }
    )
    totals = (
        ("net_credited", note.net),
        ("vat_credited", note.vat_total),
        ("total", note.total),
    )
    return _printed(sheet, facts, note.qr_payload(), rows, totals)
