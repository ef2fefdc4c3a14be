"""Money: Decimal amounts with a currency, rounded half-up to the cent; never a float."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

CENT = Decimal("0.01")


def round_money(amount: Decimal) -> Decimal:
    """Round half-up to two places, as invoices do."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def vat_on(net: Decimal) -> Decimal:
    """The VAT due on a net amount at the store's rate, rounded half-up."""
    return round_money(net * settings.LUMEIRE_VAT_RATE)


@dataclass(frozen=True)
class Money:
    """An amount in a currency, always at two decimal places."""

    amount: Decimal
    currency: str

    @classmethod
    def of(cls, amount: Decimal | int | str) -> Money:
        """An amount in the store's currency."""
        return cls(round_money(Decimal(amount)), settings.LUMEIRE_CURRENCY)

    def as_api(self) -> dict[str, str]:
        """The API's money shape: ``{"amount": "115.00", "currency": "SAR"}``."""
        return {"amount": f"{self.amount:.2f}", "currency": self.currency}

    def __str__(self) -> str:
        return f"{self.amount:,.2f} {self.currency}"


def gross_price(net: Decimal) -> Decimal:
    """A shelf price with VAT included."""
    return round_money(net) + vat_on(net)


def vat_included(gross: Decimal, rate: Decimal | None = None) -> Decimal:
    """The VAT inside an amount that includes it: ``gross × rate / (1 + rate)``, half-up.

    ZATCA's simplified invoice states the total with VAT and the VAT in it; the store works the
    VAT out once, from that total, so every surface shows the same halala.
    """
    rate = settings.LUMEIRE_VAT_RATE if rate is None else rate
    return round_money(gross * rate / (1 + rate))


@dataclass(frozen=True)
class Bill:
    """What the shopper pays, every amount VAT included, and the VAT the total contains.

    Shelf prices include VAT: a line is its shown unit price × quantity, the total is the lines
    plus delivery less discounts, and the VAT is taken out of the total once (``vat_included``).
    """

    goods: Decimal  # the lines, VAT included
    delivery: Decimal  # VAT included
    discount: Decimal  # VAT included, taken off the goods
    total: Decimal  # goods + delivery - discount
    vat: Decimal  # the VAT in the total
    delivery_vat: Decimal  # the part of ``vat`` that is delivery's

    @property
    def net(self) -> Decimal:
        """The total before VAT."""
        return self.total - self.vat

    @property
    def goods_net(self) -> Decimal:
        """The goods less discounts, before VAT (what is left of ``net`` after delivery)."""
        return self.net - self.delivery_net

    @property
    def delivery_net(self) -> Decimal:
        return self.delivery - self.delivery_vat


def line_price(unit_gross: Decimal, quantity: int) -> Decimal:
    """A line as shown and charged: the shown unit price (VAT included) × the quantity."""
    return round_money(unit_gross) * quantity


def bill_of(
    goods: Decimal,
    delivery: Decimal = Decimal("0.00"),
    discount: Decimal = Decimal("0.00"),
    *,
    rate: Decimal | None = None,
) -> Bill:
    """The bill of VAT-included goods, delivery and discount; VAT worked out from the total."""
    goods, delivery, discount = round_money(goods), round_money(delivery), round_money(discount)
    total = goods + delivery - discount
    delivery_vat = vat_included(delivery, rate)
    return Bill(goods, delivery, discount, total, vat_included(total, rate), delivery_vat)
