"""What an invoice says, checked once so that the PDF, the page and the QR code cannot disagree.

Orders build an ``InvoiceDocument`` (``invoice_document`` does the arithmetic) and keep what it
printed; nothing here reads the database.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.conf import settings

from lumeire.core.money import round_money, vat_included
from lumeire.invoicing.zatca import tlv_base64

LANGUAGES = ("en", "ar")
_VAT_NUMBER = re.compile(r"3[0-9]{13}3")
_CURRENCY = re.compile(r"[A-Z]{3}")


def is_vat_number(value: str) -> bool:
    """A Saudi VAT registration number: 15 digits, the first and the last a 3."""
    return bool(_VAT_NUMBER.fullmatch(value))


def _check_amount(name: str, value: object) -> None:
    # A float would carry binary noise into a tax document; refuse it rather than convert it.
    if not isinstance(value, Decimal):
        raise TypeError(f"{name} must be a Decimal, not {type(value).__name__}.")
    if not value.is_finite() or value < 0:
        raise ValueError(f"{name} must be a finite amount of zero or more, not {value}.")


@dataclass(frozen=True)
class InvoiceLine:
    """One product on the invoice, its amounts already rounded the way the order charged them."""

    description: str  # product name and options in the invoice's language
    quantity: int
    unit_price: Decimal  # before VAT; VAT included when ``vat_included``
    net: Decimal  # unit_price * quantity, rounded (``vat_included``: gross less the VAT in it)
    vat: Decimal  # VAT on this line, rounded half-up (``vat_included``: the VAT in the gross)
    # Shelf prices with VAT included (orders placed since): the line is the unit price ×
    # quantity, and its net and VAT only split it; the invoice's VAT comes from its total.
    vat_included: bool = False

    def __post_init__(self) -> None:
        if not self.description.strip():
            raise ValueError("An invoice line needs a description.")
        if isinstance(self.quantity, bool) or not isinstance(self.quantity, int):
            raise TypeError("An invoice line's quantity must be a whole number.")
        if self.quantity < 1:
            raise ValueError("An invoice line's quantity must be at least 1.")
        for name in ("unit_price", "net", "vat"):
            _check_amount(name, getattr(self, name))
        if self.vat_included:
            if self.gross != self.unit_price * self.quantity:
                raise ValueError(
                    f"Line {self.description!r}: {self.gross} is not "
                    f"{self.quantity} × {self.unit_price}."
                )
        elif self.net != round_money(self.unit_price * self.quantity):
            raise ValueError(
                f"Line {self.description!r}: net {self.net} is not "
                f"{self.quantity} × {self.unit_price} rounded."
            )

    @property
    def gross(self) -> Decimal:
        """What the shopper paid for the line, VAT included."""
        return self.net + self.vat

    @classmethod
    def priced(
        cls, description: str, quantity: int, unit_price: Decimal, *, vat_rate: Decimal
    ) -> InvoiceLine:
        """A line priced as the cart prices it: net rounded, then VAT on the net rounded."""
        _check_amount("unit_price", unit_price)
        net = round_money(unit_price * quantity)
        return cls(description, quantity, unit_price, net, round_money(net * vat_rate))


@dataclass(frozen=True)
class InvoiceDocument:
    """A simplified tax invoice, every total checked against its lines.

    One VAT rate covers every line and the shipping, because the invoice prints a single
    "VAT 15 %" total; a document whose sums do not add up is refused with ``ValueError``.
    """

    number: str  # e.g. "INV-2026-000042"
    order_number: str  # e.g. "LUM-7K3Q-9F2D"
    issued_at: datetime  # aware
    language: str  # "en" or "ar"
    seller_name: str
    vat_number: str
    currency: str  # "SAR"
    lines: tuple[InvoiceLine, ...]
    shipping_name: str  # shipping method, e.g. "Standard delivery"
    shipping_net: Decimal
    shipping_vat: Decimal
    subtotal: Decimal  # sum of line nets
    vat_total: Decimal  # sum of line VATs + shipping_vat
    total: Decimal  # subtotal + shipping_net + vat_total
    vat_rate: Decimal  # Decimal("0.15")
    # Shelf prices with VAT included: lines are VAT included, the shipping too, and the VAT
    # total is the total × rate / (1 + rate), rounded once (ZATCA's simplified invoice);
    # subtotal and shipping_net are then what is left before VAT. Older orders: VAT per line.
    prices_include_vat: bool = False
    # The number of the credit note that cancels this invoice ("" while it stands): the invoice
    # is never changed, but it says, on the page and the PDF, that a credit note replaced it.
    credited_by: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.lines, tuple):
            object.__setattr__(self, "lines", tuple(self.lines))
        for name in ("number", "order_number", "seller_name", "shipping_name"):
            if not getattr(self, name).strip():
                raise ValueError(f"An invoice needs a {name.replace('_', ' ')}.")
        if self.issued_at.tzinfo is None or self.issued_at.utcoffset() is None:
            raise ValueError("An invoice's time of issue must be timezone-aware.")
        if self.language not in LANGUAGES:
            raise ValueError(f"An invoice is written in one of {LANGUAGES}, not {self.language!r}.")
        if not is_vat_number(self.vat_number):
            raise ValueError("A VAT registration number is 15 digits, the first and last a 3.")
        if not _CURRENCY.fullmatch(self.currency):
            raise ValueError(f"A currency is a three-letter ISO code, not {self.currency!r}.")
        if not self.lines:
            raise ValueError("An invoice needs at least one line.")
        if not all(isinstance(line, InvoiceLine) for line in self.lines):
            raise TypeError("An invoice's lines must be InvoiceLine values.")
        for name in ("shipping_net", "shipping_vat", "subtotal", "vat_total", "total", "vat_rate"):
            _check_amount(name, getattr(self, name))
        if self.vat_rate >= 1:
            raise ValueError(f"A VAT rate is a fraction such as 0.15, not {self.vat_rate}.")
        self._check_arithmetic()

    def _check_arithmetic(self) -> None:
        if self.prices_include_vat:
            self._check_vat_included()
            return
        for line in self.lines:
            if line.vat != round_money(line.net * self.vat_rate):
                raise ValueError(f"Line {line.description!r}: VAT {line.vat} is not at the rate.")
        if self.shipping_vat != round_money(self.shipping_net * self.vat_rate):
            raise ValueError(f"Shipping VAT {self.shipping_vat} is not at the rate.")
        subtotal = sum((line.net for line in self.lines), Decimal(0))
        if self.subtotal != subtotal:
            raise ValueError(f"Subtotal {self.subtotal} is not the sum of the lines, {subtotal}.")
        vat_total = sum((line.vat for line in self.lines), self.shipping_vat)
        if self.vat_total != vat_total:
            raise ValueError(
                f"VAT total {self.vat_total} is not the VAT of the lines, {vat_total}."
            )
        total = self.subtotal + self.shipping_net + self.vat_total
        if self.total != total:
            raise ValueError(f"Total {self.total} is not subtotal, shipping and VAT, {total}.")

    def _check_vat_included(self) -> None:
        if not all(line.vat_included for line in self.lines):
            raise ValueError("An invoice of VAT-included prices needs VAT-included lines.")
        for line in self.lines:
            if line.vat != vat_included(line.gross, self.vat_rate):
                raise ValueError(f"Line {line.description!r}: VAT {line.vat} is not at the rate.")
        if self.shipping_vat != vat_included(self.shipping_gross, self.vat_rate):
            raise ValueError(f"Shipping VAT {self.shipping_vat} is not at the rate.")
        total = sum((line.gross for line in self.lines), self.shipping_gross)
        if self.total != total:
            raise ValueError(f"Total {self.total} is not the lines and shipping, {total}.")
        if self.vat_total != vat_included(self.total, self.vat_rate):
            raise ValueError(f"VAT total {self.vat_total} is not the VAT in {self.total}.")
        if self.subtotal + self.shipping_net + self.vat_total != self.total:
            raise ValueError(f"Subtotal {self.subtotal} is not the goods before VAT.")

    @property
    def goods(self) -> Decimal:
        """The lines added up, as charged (VAT included)."""
        return sum((line.gross for line in self.lines), Decimal("0.00"))

    @property
    def direction(self) -> str:
        """``rtl`` for Arabic, ``ltr`` otherwise: how the invoice is laid out."""
        return "rtl" if self.language == "ar" else "ltr"

    @property
    def shipping_gross(self) -> Decimal:
        """Shipping as charged, VAT included."""
        return self.shipping_net + self.shipping_vat

    def qr_payload(self) -> str:
        """The ZATCA phase 1 QR payload (base64 TLV) printed on the invoice."""
        return tlv_base64(
            seller_name=self.seller_name,
            vat_number=self.vat_number,
            timestamp=self.issued_at,
            total=self.total,
            vat_total=self.vat_total,
        )


def seller_name_in(language: str) -> str:
    """The seller's registered name in the invoice's language, from the settings."""
    if language == "ar":
        return settings.LUMEIRE_SELLER_NAME_AR
    return settings.LUMEIRE_SELLER_NAME_EN


def invoice_document(
    *,
    number: str,
    order_number: str,
    issued_at: datetime,
    language: str,
    items: Iterable[tuple[str, int, Decimal]],
    shipping_name: str,
    shipping_net: Decimal,
    vat_rate: Decimal | None = None,
    currency: str | None = None,
    seller_name: str | None = None,
    vat_number: str | None = None,
) -> InvoiceDocument:
    """An invoice from ``(description, quantity, unit price before VAT)`` items, totals computed.

    The seller, VAT number, currency and rate default to the store's settings; VAT is rounded
    per line, as the cart shows it, so the invoice repeats what the shopper was charged.
    """
    rate = settings.LUMEIRE_VAT_RATE if vat_rate is None else vat_rate
    _check_amount("vat_rate", rate)
    _check_amount("shipping_net", shipping_net)
    lines = tuple(
        InvoiceLine.priced(description, quantity, unit_price, vat_rate=rate)
        for description, quantity, unit_price in items
    )
    shipping_net = round_money(shipping_net)
    shipping_vat = round_money(shipping_net * rate)
    subtotal = sum((line.net for line in lines), Decimal("0.00"))
    vat_total = sum((line.vat for line in lines), shipping_vat)
    return InvoiceDocument(
        number=number,
        order_number=order_number,
        issued_at=issued_at,
        language=language,
        seller_name=seller_name_in(language) if seller_name is None else seller_name,
        vat_number=settings.LUMEIRE_VAT_NUMBER if vat_number is None else vat_number,
        currency=settings.LUMEIRE_CURRENCY if currency is None else currency,
        lines=lines,
        shipping_name=shipping_name,
        shipping_net=shipping_net,
        shipping_vat=shipping_vat,
        subtotal=subtotal,
        vat_total=vat_total,
        total=subtotal + shipping_net + vat_total,
        vat_rate=rate,
    )
