"""Response bodies of /api/v1/orders/ and of a placed order, named exactly as API.md promises.

Everything comes from the order's own snapshot (names, prices, VAT as they were when it was
placed), never from today's catalogue. Line prices are before VAT, as on the invoice:
``subtotal`` adds the lines' ``net``, ``vat`` adds the lines' VAT and the delivery's, and
``total`` is exactly ``subtotal + shipping + vat``. The delivery address is personal and stays
out of every answer; the card shows only its brand and last four digits.
"""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import get_language
from ninja import Schema
from pydantic import Field

from lumeire.api.schemas import MoneyOut
from lumeire.core.money import Money
from lumeire.orders.models import Order, OrderEvent, OrderLine, PaymentMethod


def response_language() -> str:
    """The language names are given in: the request's (Accept-Language), English otherwise."""
    return "ar" if (get_language() or "").startswith("ar") else "en"


def _money(amount) -> dict[str, str]:
    return Money.of(amount).as_api()


class OrderLineOut(Schema):
    sku: str
    name: str = Field(description="In the request's language, as it was when ordered.")
    options: dict[str, str]
    quantity: int
    unit_price: MoneyOut = Field(description="The shelf price paid, VAT included.")
    net: MoneyOut = Field(description="total less the VAT in it.")
    vat: MoneyOut = Field(description="The VAT included in the line, rounded half-up.")
    total: MoneyOut = Field(description="unit_price × quantity, VAT included (net + vat).")

    @classmethod
    def of(cls, line: OrderLine, language: str) -> OrderLineOut:
        return cls(
            sku=line.sku,
            name=line.name(language),
            options={str(name): str(value) for name, value in (line.options or {}).items()},
            quantity=line.quantity,
            unit_price=_money(line.shown_unit_price),
            net=_money(line.net),
            vat=_money(line.vat),
            total=_money(line.gross),
        )


class PaymentOut(Schema):
    method: str = Field(description='"cod" (cash on delivery) or "card".')
    brand: str | None = Field(description="The card's scheme; null for cash on delivery.")
    last4: str | None = Field(description="The card's last four digits; null for cash.")


class ShippingOut(Schema):
    code: str
    name: str = Field(description="In the request's language.")


class TimelineEntryOut(Schema):
    at: datetime
    status: str


class OrderOut(Schema):
    number: str = Field(description="Like LUM-7K3Q-9F2D.")
    status: str = Field(
        description="pending_payment, paid, packed, shipped, delivered, cancelled or refunded."
    )
    lines: list[OrderLineOut]
    subtotal: MoneyOut = Field(description="The lines' totals added up, VAT included.")
    shipping: MoneyOut = Field(description="Delivery, VAT included.")
    vat: MoneyOut = Field(description="The VAT included in the total: total × rate / (1 + rate).")
    total: MoneyOut = Field(description="subtotal + shipping: what was or will be paid.")
    placed_at: datetime
    payment: PaymentOut
    shipping_method: ShippingOut
    tracking_number: str | None = Field(description="The carrier's number once shipped.")
    can_cancel: bool = Field(description="Whether POST .../cancel would be accepted now.")
    timeline: list[TimelineEntryOut] = Field(
        description="Every status the order had, oldest first."
    )

    @classmethod
    def of(
        cls, order: Order, *, timeline: list[OrderEvent], cancellable: bool, language: str
    ) -> OrderOut:
        card = order.payment_method == PaymentMethod.CARD
        return cls(
            number=order.number,
            status=order.status,
            lines=[OrderLineOut.of(line, language) for line in order.lines.all()],
            subtotal=_money(order.goods),
            shipping=_money(order.shipping_gross),
            vat=_money(order.vat),
            total=_money(order.total),
            placed_at=order.placed_at,
            payment=PaymentOut(
                method=order.payment_method,
                brand=(order.card_brand or None) if card else None,
                last4=(order.card_last4 or None) if card else None,
            ),
            shipping_method=ShippingOut(
                code=order.shipping_method_code, name=order.shipping_method_name(language)
            ),
            tracking_number=order.tracking_number or None,
            can_cancel=cancellable,
            timeline=[TimelineEntryOut(at=event.at, status=event.to_status) for event in timeline],
        )


class OrderSummaryOut(Schema):
    number: str
    status: str
    placed_at: datetime
    item_count: int = Field(description="Units bought, all lines together.")
    total: MoneyOut

    @classmethod
    def of(cls, order: Order) -> OrderSummaryOut:
        return cls(
            number=order.number,
            status=order.status,
            placed_at=order.placed_at,
            item_count=sum(line.quantity for line in order.lines.all()),
            total=_money(order.total),
        )


class OrderPageOut(Schema):
    items: list[OrderSummaryOut]
    next_cursor: str | None = Field(
        description="Send it as ?cursor= for the next page; null on the last page."
    )
