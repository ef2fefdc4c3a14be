"""The ZATCA phase 1 QR code of a simplified tax invoice: five TLV fields, then base64.

Each field is one byte of tag, one byte of length and the value's UTF-8 bytes, so a value may
hold at most 255 bytes; an Arabic letter takes two, which is why lengths count bytes, not
characters.
"""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime
from decimal import Decimal

from lumeire.core.money import round_money

SELLER_NAME = 1
VAT_NUMBER = 2
TIMESTAMP = 3
TOTAL_WITH_VAT = 4
VAT_TOTAL = 5

MAX_VALUE_BYTES = 255


def zatca_timestamp(moment: datetime) -> str:
    """ISO 8601 in UTC to the second, ``2026-11-26T10:15:30Z``, as the QR code carries it."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("An invoice's time of issue must be timezone-aware.")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def zatca_amount(amount: Decimal) -> str:
    """An amount with two decimals, rounded half-up; never a float, never negative."""
    if isinstance(amount, bool) or not isinstance(amount, Decimal | int):
        raise TypeError(f"An invoice amount must be a Decimal, not {type(amount).__name__}.")
    amount = Decimal(amount)
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"An invoice amount must be a finite amount of zero or more: {amount}.")
    return f"{round_money(amount):.2f}"


def _field(tag: int, value: str) -> bytes:
    data = value.encode("utf-8")
    if not data:
        raise ValueError(f"ZATCA QR field {tag} is empty.")
    if len(data) > MAX_VALUE_BYTES:
        raise ValueError(
            f"ZATCA QR field {tag} is {len(data)} bytes long in UTF-8; "
            f"a field holds at most {MAX_VALUE_BYTES}."
        )
    return bytes((tag, len(data))) + data


def tlv_base64(
    *, seller_name: str, vat_number: str, timestamp: datetime, total: Decimal, vat_total: Decimal
) -> str:
    """The QR payload: seller, VAT number, time of issue, total with VAT and VAT total."""
    fields = (
        (SELLER_NAME, seller_name),
        (VAT_NUMBER, vat_number),
        (TIMESTAMP, zatca_timestamp(timestamp)),
        (TOTAL_WITH_VAT, zatca_amount(total)),
        (VAT_TOTAL, zatca_amount(vat_total)),
    )
    return base64.b64encode(b"".join(_field(tag, value) for tag, value in fields)).decode("ascii")


def tlv_decode(payload: str) -> dict[int, str]:
    """Read a QR payload back, tag to value: for tests and for checking a printed invoice."""
    try:
        data = base64.b64decode(payload, validate=True)
    except binascii.Error as error:
        raise ValueError(f"Not a base64 ZATCA payload: {error}.") from None
    fields: dict[int, str] = {}
    position = 0
    while position < len(data):
        if position + 2 > len(data):
            raise ValueError("The ZATCA payload ends inside a field's tag and length.")
        tag, length = data[position], data[position + 1]
        value = data[position + 2 : position + 2 + length]
        if len(value) != length:
            raise ValueError(f"ZATCA QR field {tag} is cut short.")
        if tag in fields:
            raise ValueError(f"ZATCA QR field {tag} appears twice.")
        fields[tag] = value.decode("utf-8")
        position += 2 + length
    return fields
