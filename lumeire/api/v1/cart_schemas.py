"""Request and response bodies of /api/v1/cart, named exactly as API.md promises.

Line prices are before VAT, as on an invoice: ``subtotal`` adds the lines, ``vat`` adds the VAT
rounded per line, and ``total`` is exactly ``subtotal + vat``. Every price is read from the
catalogue when the cart is shown; a client never sends one.
"""

from __future__ import annotations

from typing import Annotated, Any

from ninja import Schema
from pydantic import BeforeValidator, Field
from pydantic_core import PydanticCustomError

from lumeire.api.schemas import MoneyOut, StrictBody
from lumeire.cart.errors import CartError
from lumeire.cart.selectors import CartSummary
from lumeire.cart.services import MAX_QUANTITY, parse_quantity
from lumeire.core.money import Money


def _quantity(value: Any) -> int:
    # The cart's own rule and sentence, so the API and the storefront refuse alike.
    try:
        return parse_quantity(value)
    except CartError as refused:
        raise PydanticCustomError("quantity", refused.message) from None


Quantity = Annotated[int, BeforeValidator(_quantity), Field(ge=1, le=MAX_QUANTITY)]


class LineIn(StrictBody):
    sku: str
    quantity: Quantity


class QuantityIn(StrictBody):
    quantity: Quantity


class CartLineOut(Schema):
    id: int
    sku: str
    name: str
    quantity: int
    unit_price: MoneyOut = Field(description="The shelf price, VAT included.")
    line_total: MoneyOut = Field(description="unit_price × quantity, VAT included.")


class CartOut(Schema):
    lines: list[CartLineOut]
    subtotal: MoneyOut = Field(description="The lines added up, VAT included.")
    vat: MoneyOut = Field(
        description="The VAT included in the total: total × rate / (1 + rate), half-up."
    )
    total: MoneyOut = Field(description="The same as subtotal until delivery is chosen.")

    @classmethod
    def of(cls, summary: CartSummary) -> CartOut:
        return cls(
            lines=[
                CartLineOut(
                    id=priced.line.pk,
                    sku=priced.line.variant.sku,
                    name=priced.line.variant.product.name,
                    quantity=priced.line.quantity,
                    unit_price=Money.of(priced.unit_price).as_api(),
                    line_total=Money.of(priced.line_total).as_api(),
                )
                for priced in summary.lines
            ],
            subtotal=Money.of(summary.subtotal).as_api(),
            vat=Money.of(summary.vat).as_api(),
            total=Money.of(summary.total).as_api(),
        )
