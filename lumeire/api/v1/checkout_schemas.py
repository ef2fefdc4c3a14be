"""Request and response bodies of /api/v1/checkout/, named exactly as API.md promises.

The body says where, how fast and how to pay; never what is bought or at what price. The lines
are the customer's own cart and every price is the catalogue's, read when the order is placed,
so a client cannot send a total. The address fields are taken as typed: the checkout's own
parser cleans them and names each wrong one, in the same words the storefront uses.
"""

from __future__ import annotations

from ninja import Schema
from pydantic import Field

from lumeire.api.schemas import MoneyOut, StrictBody
from lumeire.checkout.models import ShippingMethod
from lumeire.core.money import Money, gross_price


class ShippingMethodOut(Schema):
    code: str
    name: str = Field(description="In the request's language.")
    price: MoneyOut = Field(description="VAT included; free_above may make it nothing.")
    free_above: MoneyOut | None = Field(
        description="Delivery is free when the goods, VAT included, cost at least this; "
        "null when it never is."
    )

    @classmethod
    def of(cls, method: ShippingMethod, language: str) -> ShippingMethodOut:
        return cls(
            code=method.code,
            name=method.name(language),
            price=Money.of(gross_price(method.price)).as_api(),
            free_above=None if method.free_above is None else Money.of(method.free_above).as_api(),
        )


class ShippingAddressIn(StrictBody):
    full_name: str
    phone: str = Field(description="A Saudi mobile number: 05XXXXXXXX or +9665XXXXXXXX.")
    city: str
    district: str
    street: str
    building: str
    postal_code: str = Field(description="Five digits in Saudi Arabia.")
    country: str = Field(description="ISO 3166 code; the store delivers to SA only for now.")


class PaymentIn(StrictBody):
    method: str = Field(description='"cod" (cash on delivery) or "card".')
    card_token: str | None = Field(
        None,
        description="For card: the card_token from POST /api/v1/payments/test-gateway/tokens "
        "(or the gateway's card page). Never a card number.",
    )


class PlaceOrderIn(StrictBody):
    shipping_address: ShippingAddressIn
    shipping_method: str = Field(description="A code from GET /api/v1/checkout/shipping-methods.")
    payment: PaymentIn
    save_address: bool = Field(
        True, description="false: deliver to this address without offering it again next time."
    )
