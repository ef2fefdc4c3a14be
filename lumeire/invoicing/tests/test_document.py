"""The invoice description: totals computed once, and refused when they do not add up."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lumeire.invoicing.document import InvoiceLine, invoice_document
from lumeire.invoicing.tests.documents import ISSUED_AT, sample_document
from lumeire.invoicing.zatca import tlv_decode


def test_totals_of_the_sample():
    document = sample_document()
    assert [line.net for line in document.lines] == [
        Decimal("298.00"),
        Decimal("399.99"),
        Decimal("73.05"),
    ]
    assert [line.vat for line in document.lines] == [
        Decimal("44.70"),
        Decimal("60.00"),
        Decimal("10.96"),  # 10.9575 rounded half-up
    ]
    assert document.lines[0].gross == Decimal("342.70")
    assert document.subtotal == Decimal("771.04")
    assert (document.shipping_net, document.shipping_vat) == (Decimal("25.00"), Decimal("3.75"))
    assert document.vat_total == Decimal("119.41")
    assert document.total == Decimal("915.45")
    assert document.direction == "ltr"
    assert sample_document("ar").direction == "rtl"


def test_qr_payload_carries_the_document():
    fields = tlv_decode(sample_document("ar").qr_payload())
    assert fields == {
        1: "شركة لوميير للتجارة",
        2: "300000000000003",
        3: "2026-11-26T10:15:30Z",
        4: "915.45",
        5: "119.41",
    }


def test_seller_and_vat_number_come_from_the_settings(settings):
    settings.LUMEIRE_SELLER_NAME_EN = "Example Seller"
    settings.LUMEIRE_VAT_NUMBER = "312345678900003"
    document = sample_document("en")
    assert (document.seller_name, document.vat_number) == ("Example Seller", "312345678900003")


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("total", Decimal("915.46"), "Total"),
        ("subtotal", Decimal("771.00"), "Subtotal"),
        ("vat_total", Decimal("119.40"), "VAT total"),
        ("shipping_vat", Decimal("3.00"), "Shipping VAT"),
        ("vat_number", "300000000000004", "VAT registration number"),
        ("vat_number", "30000000000003", "VAT registration number"),
        ("language", "fr", "written in"),
        ("issued_at", datetime(2026, 11, 26, 13, 15), "timezone-aware"),  # naive
        ("lines", (), "at least one line"),
        ("currency", "sar", "currency"),
    ],
)
def test_inconsistent_documents_are_refused(field, value, error):
    with pytest.raises(ValueError, match=error):
        dataclasses.replace(sample_document(), **{field: value})


def test_a_line_vat_off_the_rate_is_refused():
    document = sample_document()
    line = dataclasses.replace(document.lines[0], vat=Decimal("44.71"))
    with pytest.raises(ValueError, match="not at the rate"):
        dataclasses.replace(
            document,
            lines=(line, *document.lines[1:]),
            vat_total=document.vat_total + Decimal("0.01"),
            total=document.total + Decimal("0.01"),
        )


def test_lines_check_their_own_arithmetic():
    with pytest.raises(ValueError, match=r"not 2 × 1\.005 rounded"):
        InvoiceLine("Soap", 2, Decimal("1.005"), Decimal("2.00"), Decimal("0.30"))
    with pytest.raises(TypeError, match="Decimal"):
        InvoiceLine("Soap", 2, 1.5, Decimal("3.00"), Decimal("0.45"))
    with pytest.raises(ValueError, match="at least 1"):
        InvoiceLine("Soap", 0, Decimal("1.50"), Decimal("0.00"), Decimal("0.00"))
    with pytest.raises(ValueError, match="description"):
        InvoiceLine(" ", 1, Decimal("1.50"), Decimal("1.50"), Decimal("0.23"))


def test_a_list_of_lines_becomes_a_tuple():
    document = sample_document()
    again = dataclasses.replace(document, lines=list(document.lines))
    assert again.lines == document.lines
    hash(again)  # frozen and hashable, like any value


_ITEMS = st.lists(
    st.tuples(
        st.text(min_size=1, max_size=40).filter(str.strip),
        st.integers(min_value=1, max_value=999),
        st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2),
    ),
    min_size=1,
    max_size=30,
)


@given(
    items=_ITEMS,
    shipping=st.decimals(min_value=0, max_value=Decimal("500"), places=2),
    language=st.sampled_from(["en", "ar"]),
)
def test_qr_totals_equal_the_documents(items, shipping, language):
    document = invoice_document(
        number="INV-2026-000001",
        order_number="LUM-AAAA-BBBB",
        issued_at=ISSUED_AT,
        language=language,
        items=items,
        shipping_name="Standard delivery",
        shipping_net=shipping,
        vat_rate=Decimal("0.15"),
        currency="SAR",
    )
    fields = tlv_decode(document.qr_payload())
    assert fields[4] == f"{document.total:.2f}"
    assert fields[5] == f"{document.vat_total:.2f}"
    assert document.total == sum((line.gross for line in document.lines), document.shipping_gross)
