"""The ZATCA QR payload: bytes exactly as the TLV rules lay them out, and its limits."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lumeire.invoicing.tests.documents import ISSUED_AT
from lumeire.invoicing.zatca import tlv_base64, tlv_decode

SELLER = "Lumeire Trading Co."
VAT_NUMBER = "300000000000003"


def _payload(**overrides):
    fields = {
        "seller_name": SELLER,
        "vat_number": VAT_NUMBER,
        "timestamp": ISSUED_AT,
        "total": Decimal("115.00"),
        "vat_total": Decimal("15.00"),
    }
    return tlv_base64(**{**fields, **overrides})


def test_known_bytes_for_a_fixed_invoice():
    # Written out from the rules: tag byte, length byte, UTF-8 value; then base64.
    expected = (
        b"\x01\x13Lumeire Trading Co."  # 19 bytes
        b"\x02\x0f300000000000003"  # 15 bytes
        b"\x03\x142026-11-26T10:15:30Z"  # 20 bytes, 13:15:30 in Riyadh is 10:15:30 UTC
        b"\x04\x06115.00"
        b"\x05\x0515.00"
    )
    assert _payload() == base64.b64encode(expected).decode("ascii")


def test_zatca_published_example():
    # The example of ZATCA's QR code guidance: "Bobs Records", 1000.00 with 150.00 of VAT.
    payload = tlv_base64(
        seller_name="Bobs Records",
        vat_number="310122393500003",
        timestamp=datetime(2022, 4, 25, 15, 30, tzinfo=UTC),
        total=Decimal("1000"),
        vat_total=Decimal("150"),
    )
    assert payload == (
        "AQxCb2JzIFJlY29yZHMCDzMxMDEyMjM5MzUwMDAwMwMUMjAyMi0wNC0yNVQxNTozMDowMFoEBzEwMDAuMDAFBjE1MC4wMA=="
    )


def test_round_trip():
    assert tlv_decode(_payload()) == {
        1: SELLER,
        2: VAT_NUMBER,
        3: "2026-11-26T10:15:30Z",
        4: "115.00",
        5: "15.00",
    }


def test_arabic_seller_name_is_measured_in_bytes():
    seller = "شركة لوميير للتجارة"  # 19 characters: 17 letters of 2 bytes, 2 spaces
    raw = base64.b64decode(_payload(seller_name=seller))
    assert raw[0] == 1
    assert raw[1] == len(seller.encode("utf-8")) == 36
    assert raw[2 : 2 + 36].decode("utf-8") == seller
    assert raw[2 + 36] == 2  # the next field starts right after the name's bytes
    assert tlv_decode(_payload(seller_name=seller))[1] == seller


def test_255_bytes_fit_and_256_are_refused():
    assert tlv_decode(_payload(seller_name="a" * 255))[1] == "a" * 255
    with pytest.raises(ValueError, match="256 bytes"):
        _payload(seller_name="a" * 256)
    # 128 Arabic letters are 128 characters but 256 bytes.
    with pytest.raises(ValueError, match="256 bytes"):
        _payload(seller_name="ش" * 128)


def test_times_are_utc_to_the_second():
    moment = datetime(2026, 1, 1, 2, 0, 0, 987654, tzinfo=timezone(timedelta(hours=3)))
    assert tlv_decode(_payload(timestamp=moment))[3] == "2025-12-31T23:00:00Z"
    with pytest.raises(ValueError, match="timezone-aware"):
        _payload(timestamp=datetime(2026, 1, 1, 12, 0))  # naive


def test_amounts_have_two_decimals_rounded_half_up():
    fields = tlv_decode(_payload(total=Decimal("2.675"), vat_total=Decimal("0.005")))
    assert (fields[4], fields[5]) == ("2.68", "0.01")
    assert tlv_decode(_payload(total=Decimal("1E+3")))[4] == "1000.00"


def test_floats_and_negative_amounts_are_refused():
    with pytest.raises(TypeError):
        _payload(total=115.0)
    with pytest.raises(ValueError):
        _payload(vat_total=Decimal("-1"))


def test_empty_values_are_refused():
    with pytest.raises(ValueError, match="empty"):
        _payload(seller_name="")


@pytest.mark.parametrize("payload", ["not base64!", base64.b64encode(b"\x01\x05abc").decode()])
def test_malformed_payloads_are_refused(payload):
    with pytest.raises(ValueError):
        tlv_decode(payload)


@given(
    seller=st.text(min_size=1, max_size=63).filter(lambda s: len(s.encode("utf-8")) <= 255),
    total=st.decimals(min_value=0, max_value=10**9, places=2),
    vat=st.decimals(min_value=0, max_value=10**8, places=2),
)
def test_any_seller_and_amounts_round_trip(seller, total, vat):
    fields = tlv_decode(_payload(seller_name=seller, total=total, vat_total=vat))
    assert fields[1] == seller
    assert Decimal(fields[4]) == total
    assert Decimal(fields[5]) == vat
