"""Schemas every router shares: the error shape and the contract's date format."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import BeforeValidator, ConfigDict
from pydantic_core import PydanticCustomError

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", flags=re.ASCII)


class StrictBody(Schema):
    """A request body that names every field it accepts and refuses any other (400)."""

    model_config = ConfigDict(extra="forbid")


class ErrorSchema(Schema):
    """What every 4xx carries (see lumeire.api.errors); documented on each endpoint."""

    detail: str
    errors: dict[str, list[str]] | None = None
    code: str | None = None


class MoneyOut(Schema):
    """Money as the contract writes it: a string decimal at two places and the currency."""

    amount: str
    currency: str


class MessageSchema(Schema):
    """A sentence for a person, where the outcome itself is the answer (202 Accepted)."""

    detail: str


def _contract_date(value: Any) -> Any:
    # Pydantic alone would also take timestamps and datetimes; the contract says YYYY-MM-DD.
    if value is None or isinstance(value, date):
        return value
    if isinstance(value, str) and _ISO_DATE.match(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise PydanticCustomError("date_format", _("Enter a real date as YYYY-MM-DD."))


# A date written exactly as the contract says; anything else is a 400 keyed by the field.
ContractDate = Annotated[date, BeforeValidator(_contract_date)]
OptionalContractDate = Annotated[date | None, BeforeValidator(_contract_date)]
