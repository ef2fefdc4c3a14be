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
