"""Sample invoices for the tests: one small order in English or in Arabic."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from lumeire.invoicing.document import InvoiceDocument, invoice_document

RIYADH = ZoneInfo("Asia/Riyadh")
ISSUED_AT = datetime(2026, 11, 26, 13, 15, 30, tzinfo=RIYADH)  # 10:15:30 UTC

ITEMS = {
    "en": [
        ("Linen shirt, size M, colour sand", 2, Decimal("149.00")),
        ("Brass desk lamp", 1, Decimal("399.99")),
        ("Notebook, hardback", 3, Decimal("24.35")),
    ],
    "ar": [
        ("قميص كتان، مقاس M، لون رملي", 2, Decimal("149.00")),
        ("مصباح مكتب نحاسي", 1, Decimal("399.99")),
        ("دفتر بغلاف مقوى", 3, Decimal("24.35")),
    ],
}
SHIPPING = {"en": "Standard delivery", "ar": "توصيل عادي"}


def sample_document(language: str = "en", *, repeat: int = 1) -> InvoiceDocument:
    """Nets 298.00 + 399.99 + 73.05 = 771.04, shipping 25.00, VAT 119.41, total 915.45 SAR."""
    return invoice_document(
        number="INV-2026-000042",
        order_number="LUM-7K3Q-9F2D",
        issued_at=ISSUED_AT,
        language=language,
        items=ITEMS[language] * repeat,
        shipping_name=SHIPPING[language],
        shipping_net=Decimal("25.00"),
        vat_rate=Decimal("0.15"),
        currency="SAR",
    )
