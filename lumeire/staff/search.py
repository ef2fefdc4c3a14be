"""Finding a customer by an exact value, without turning the search into an oracle.

An exact-match search on a value the list shows masked tells whoever searches whether a guess
is right. Email and username searches are for roles that may see those values anyway; a search
by identity number is a reveal of it: only for roles that may see identity numbers, with a
reason, at most ``LUMEIRE_IDENTITY_SEARCHES_PER_HOUR`` an hour for each staff member, and
recorded in the audit log (as a reveal on the found customer's "who looked at my data" too). A
term shaped like an identity number never reaches the identity index through the ordinary
search, and every refused attempt is recorded.
"""

from __future__ import annotations

import re
import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from lumeire.accounts.selectors import (
    IDENTITY_NUMBER_LENGTH,
    MAX_SEARCH_LENGTH,
    customer_ids_matching,
)
from lumeire.audit.services import audit_record
from lumeire.core.errors import ApplicationError, PermissionDeniedError
from lumeire.core.identity import normalize_identity_number
from lumeire.staff.access import (
    Permission,
    may_search_email_and_username,
    may_search_identity_number,
    require,
)
from lumeire.staff.audit_actions import StaffAuditAction
from lumeire.staff.errors import StaffError, StaffErrorCode
from lumeire.staff.reveal import reason_checked
from lumeire.staff.selectors import identity_searches_since
from lumeire.staff.services import reveal_record

SEARCH_WINDOW = timedelta(hours=1)
ORDER_NUMBER = re.compile(r"LUM-[0-9A-Z]{4}-[0-9A-Z]{4}")
TARGET_TYPE = "customer"
IDENTITY_FIELD = "identity_number"


class IdentitySearchRefused(PermissionDeniedError):
    """The staff member's roles may not search by identity number; the attempt is recorded."""


class IdentitySearchLimit(ApplicationError):
    """Too many searches by identity number this hour; the attempt is recorded."""

    status_code = 429


def searches_per_hour() -> int:
    return int(getattr(settings, "LUMEIRE_IDENTITY_SEARCHES_PER_HOUR", 10))


def identity_number_term(term: str) -> str | None:
    """The digits of ``term`` when the customer search would read it as an identity number.

    The same reading as ``customer_ids_matching``: separators dropped, Arabic-Indic digits made
    ASCII, then exactly ten ASCII digits.
    """
    term = (term or "").strip()
    if not term or len(term) > MAX_SEARCH_LENGTH:
        return None
    digits = normalize_identity_number(term)
    if len(digits) == IDENTITY_NUMBER_LENGTH and digits.isascii() and digits.isdigit():
        return digits
    return None


def _refusal_record(actor, *, client: str, cause: str) -> None:
    """A refused search by identity number: who tried, why refused, never the number."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=StaffAuditAction.IDENTITY_SEARCH_REFUSED,
            target_type=TARGET_TYPE,
            fields=[IDENTITY_FIELD],
            reason=cause,
            client_ref=client,
        )


def order_number_term(term: str) -> bool:
    """Whether ``term`` is shaped like an order number (``LUM-XXXX-XXXX``, spaces and case
    aside): those are looked up by the orders app, not here."""
    return bool(ORDER_NUMBER.fullmatch("".join((term or "").split()).upper()))


def customer_search(*, actor, term: str, client: str) -> set[uuid.UUID]:
    """Customers whose email or username is exactly ``term``; never an identity number here.

    A term that reads as an identity number is refused: with a message pointing to the
    identity search for roles that may use it, and recorded as a refused identity search for
    the others. Email and username are searched only for roles that may see them in clear (an
    exact match would otherwise confirm a guess); an order number is left to the orders app.
    """
    require(actor, Permission.CUSTOMERS_SEARCH)
    if identity_number_term(term) is not None:
        if not may_search_identity_number(actor):
            _refusal_record(actor, client=client, cause="role")
            raise IdentitySearchRefused(
                StaffErrorCode.IDENTITY_SEARCH_NOT_ALLOWED,
                _("Your role cannot search by national ID or residence number (iqama)."),
                field_errors={
                    "q": [_("Your role cannot search by national ID or residence number (iqama).")]
                },
            )
        message = _(
            "Search by national ID or residence number (iqama) with its own form: "
            "it asks for a reason."
        )
        raise StaffError(
            StaffErrorCode.IDENTITY_SEARCH_NEEDS_REASON, message, field_errors={"q": [message]}
        )
    if order_number_term(term):
        return set()
    if not may_search_email_and_username(actor):
        message = _("Your role cannot search by email or username; use an order number.")
        raise PermissionDeniedError(
            StaffErrorCode.CONTACT_SEARCH_NOT_ALLOWED, message, field_errors={"q": [message]}
        )
    return customer_ids_matching(term)


def identity_search(
    *, actor, identity_number: str, reason_category: str, reason: str, client: str
) -> set[uuid.UUID]:
    """Customers with exactly this identity number: a reveal of it, with its checks.

    Refused (403, recorded) for roles that may not see identity numbers; a term that is not ten
    digits or a missing reason is a 400 recording nothing; past the hourly limit, a 429,
    recorded. Each search is one audit entry (``identity_search``, counted for the limit) and a
    reveal of the identity number of each customer found, in the transaction that searches.
    """
    if not may_search_identity_number(actor):
        _refusal_record(actor, client=client, cause="role")
        raise IdentitySearchRefused(
            StaffErrorCode.IDENTITY_SEARCH_NOT_ALLOWED,
            _("Your role cannot search by national ID or residence number (iqama)."),
        )
    digits = identity_number_term(identity_number)
    if digits is None:
        message = _("Enter the 10 digits of a national ID or residence number (iqama).")
        raise StaffError(
            StaffErrorCode.INVALID_INPUT, message, field_errors={"identity_number": [message]}
        )
    reason_category, reason = reason_checked(reason_category, reason)
    limit = searches_per_hour()
    try:
        with transaction.atomic():
            found = customer_ids_matching(digits)
            reference = f"search-{secrets.token_hex(8)}"
            audit_record(
                actor=actor,
                action=StaffAuditAction.IDENTITY_SEARCH,
                target_type=TARGET_TYPE,
                target_id=reference,
                fields=[IDENTITY_FIELD],
                reason_category=reason_category,
                reason=reason,
                client_ref=client,
            )
            # Finding a customer tells the searcher their number: a reveal of it, on their
            # "who looked at my data".
            for subject in sorted(found, key=str):
                reveal_record(
                    actor=actor,
                    target_type=TARGET_TYPE,
                    target_id=str(subject),
                    subject_id=subject,
                    fields=[IDENTITY_FIELD],
                    reason_category=reason_category,
                    reason=reason,
                    client=client,
                )
            # Counted after writing: appends are serialised, so two searches at once cannot
            # both pass; over the limit, this search and its entries roll back.
            if identity_searches_since(actor, within=SEARCH_WINDOW) > limit:
                raise IdentitySearchLimit(
                    StaffErrorCode.IDENTITY_SEARCH_LIMIT,
                    _(
                        "At most %(limit)d searches by national ID or residence number (iqama) "
                        "an hour. Try again later."
                    )
                    % {"limit": limit},
                    retry_after=int(SEARCH_WINDOW.total_seconds()),
                )
    except IdentitySearchLimit:
        _refusal_record(actor, client=client, cause="limit")
        raise
    return found
