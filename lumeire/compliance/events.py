"""The store's own events, read as one shape for the detection rules.

Each source is a table other apps already keep (sign-in events, sign-up conflicts, attempts on
details other accounts hold, payment attempts, orders, age refusals). Rows are read with
``values_list`` in time order, so a sweep over a million events builds no model instances; an
``Event`` carries references and keyed hashes only, never a personal value.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

from django.apps import apps
from django.db.models import Q, QuerySet


class Event(NamedTuple):
    source: str  # the table's model label in lower case, e.g. "accounts.signinevent"
    id: str  # the row's primary key as text
    at: datetime
    user_id: uuid.UUID | None
    client_ref: str  # keyed hash of the client address, "" when unknown
    kind: str  # the outcome or kind: "failure", "declined", "identity_number", ...
    login_ref: str = ""  # keyed hash of the login typed at sign-in
    amount: Decimal | None = None
    account_joined: datetime | None = None

    @property
    def ref(self) -> dict[str, str]:
        """What a signal keeps of the event: where it is and what it was, no value."""
        return {"source": self.source, "id": self.id, "at": self.at.isoformat(), "what": self.kind}


@dataclass(frozen=True)
class Source:
    """How to read one table as events: the query, the columns and how a row becomes an Event."""

    label: str
    time_field: str
    columns: tuple[str, ...]
    to_event: Callable[[tuple], Event]
    user_field: str  # the column naming the account, for reading one subject's events
    address_field: str  # the column holding the client address's keyed hash ("" when none)
    only: Q = field(default_factory=Q)
    # The same filter on a new row, so rows the rules never read queue no detection (emission).
    emits: Callable[[object], bool] = lambda row: True

    @property
    def name(self) -> str:
        return self.label.lower()

    def queryset(self) -> QuerySet:
        return apps.get_model(self.label).objects.filter(self.only)

    def read(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        user_id: uuid.UUID | None = None,
        client_ref: str = "",
        login_ref: str = "",
        chunk_size: int = 5000,
    ) -> Iterator[Event]:
        """The source's events in time order, optionally of one account or address only."""
        rows = self.queryset()
        if since is not None:
            rows = rows.filter(**{f"{self.time_field}__gt": since})
        if until is not None:
            rows = rows.filter(**{f"{self.time_field}__lte": until})
        if user_id is not None:
            rows = rows.filter(**{self.user_field: user_id})
        if client_ref:
            if not self.address_field:
                return iter(())
            rows = rows.filter(**{self.address_field: client_ref})
        if login_ref:
            if "login_ref" not in self.columns:
                return iter(())
            rows = rows.filter(login_ref=login_ref)
        rows = rows.order_by(self.time_field, "pk").values_list(*self.columns)
        return (self.to_event(row) for row in rows.iterator(chunk_size=chunk_size))


def _sign_in(row: tuple) -> Event:
    pk, at, user_id, outcome, login_ref, client_ref = row
    return Event("accounts.signinevent", str(pk), at, user_id, client_ref, outcome, login_ref)


def _conflict(row: tuple) -> Event:
    pk, at, user_id, kind, client_ref = row
    return Event("accounts.signupconflict", str(pk), at, user_id, client_ref, kind)


def _taken_details(row: tuple) -> Event:
    pk, at, requested_by_id, kind, client_ref = row
    return Event("accounts.takendetailsattempt", str(pk), at, requested_by_id, client_ref, kind)


def _payment(row: tuple) -> Event:
    pk, at, user_id, approved, amount, client_ref = row
    kind = "approved" if approved else "declined"
    return Event("checkout.paymentattempt", str(pk), at, user_id, client_ref, kind, "", amount)


def _order(row: tuple) -> Event:
    pk, at, user_id, total, joined = row
    return Event("orders.order", str(pk), at, user_id, "", "placed", "", total, joined)


def _age_refusal(row: tuple) -> Event:
    pk, at, user_id, required_age = row
    return Event("checkout.agerestrictionrefusal", str(pk), at, user_id, "", f"age_{required_age}")


SOURCES: dict[str, Source] = {
    source.name: source
    for source in (
        Source(
            "accounts.SignInEvent",
            "at",
            ("pk", "at", "user_id", "outcome", "login_ref", "client_ref"),
            _sign_in,
            "user_id",
            "client_ref",
            # Successful sign-ins feed no rule: leaving them out keeps the sweep's reading small.
            only=~Q(outcome="success"),
            emits=lambda row: row.outcome != "success",
        ),
        Source(
            "accounts.SignupConflict",
            "at",
            ("pk", "at", "existing_user_id", "kind", "client_ref"),
            _conflict,
            "existing_user_id",
            "client_ref",
        ),
        Source(
            # Sign-ups and changes naming a taken email, username or identity number; the
            # account is the one that asked (none for a sign-up), never the value's holder.
            "accounts.TakenDetailsAttempt",
            "at",
            ("pk", "at", "requested_by_id", "kind", "client_ref"),
            _taken_details,
            "requested_by_id",
            "client_ref",
        ),
        Source(
            "checkout.PaymentAttempt",
            "at",
            ("pk", "at", "customer_id", "approved", "amount", "client_hash"),
            _payment,
            "customer_id",
            "client_hash",
            # Only declined cards feed a rule (card testing); approved ones are left out.
            only=Q(approved=False),
            emits=lambda row: not row.approved,
        ),
        Source(
            "orders.Order",
            "placed_at",
            ("pk", "placed_at", "customer_id", "total", "customer__date_joined"),
            _order,
            "customer_id",
            "",
        ),
        Source(
            "checkout.AgeRestrictionRefusal",
            "at",
            ("pk", "at", "customer_id", "required_age"),
            _age_refusal,
            "customer_id",
            "",
        ),
    )
}


def source_of_model(model) -> Source | None:
    return SOURCES.get(model._meta.label_lower)


def event_of(source: Source, pk) -> Event | None:
    """One row as an event, or None when it is gone or is not an event rules look at."""
    row = source.queryset().filter(pk=pk).values_list(*source.columns).first()
    return source.to_event(row) if row else None
