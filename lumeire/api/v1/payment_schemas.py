"""Request and response bodies of /api/v1/payments/.

The card body goes to the test gateway and no further: the store keeps only the token it gets
back. Every rule (digits, Luhn, expiry, CVC) is the gateway's, so the API and the card page
refuse alike; the schema only takes the fields as typed.
"""

from __future__ import annotations

from ninja import Schema
from pydantic import Field

from lumeire.api.schemas import StrictBody


class CardIn(StrictBody):
    # repr=False: a body printed anywhere (a debugger, a traceback's locals) shows neither.
    number: str = Field(repr=False, description="12 to 19 digits; spaces and dashes are ignored.")
    exp_month: str | int = Field(description="1 to 12.")
    exp_year: str | int = Field(description="2 or 4 digits, this month or later.")
    cvc: str = Field(repr=False, description="3 or 4 digits.")


class CardTokenOut(Schema):
    card_token: str = Field(
        description="Single use, valid for 30 minutes: hand it to checkout to pay by card."
    )
