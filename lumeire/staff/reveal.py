"""Seeing a personal value in clear: one service that checks, records and reads in one step.

Pages describe what they show (``Revealable``: a label, the inventory fields behind it, how to
read and mask it; ``RevealTarget``: a kind of record and the act that opens it) and call
``reveal_values``. The service asks the access model whether this staff member may see every
field of this record in this way (for an order, in its current status), records the look in the
audit log and reads the values in the same transaction. A refused look is recorded too and
raises ``RevealRefused`` (403); a missing or short reason raises ``StaffError`` (400) and
records nothing. Interfaces only render what comes back.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from lumeire.audit.models import RevealReason
from lumeire.core.errors import PermissionDeniedError
from lumeire.staff.access import Permission, Way, has_permission, may_see
from lumeire.staff.errors import StaffError, StaffErrorCode
from lumeire.staff.services import reveal_record, reveal_refused_record

NOTHING = "—"
REASON_MIN_LENGTH = 10
REASON_MAX_LENGTH = 300
# What fulfilment's order page records when it shows the address of an order to pack or ship.
DELIVERY_REASON = "Shown to fulfilment: the order is ready to pack or ship"


class RevealRefused(PermissionDeniedError):
    """The staff member may not see these values in clear; the attempt is recorded."""


@dataclass(frozen=True)
class Revealable:
    """One value a page shows masked and may reveal.

    ``name`` is what the form posts; ``model_fields`` are the inventory entries that decide who
    may see it, and the names the audit log records (names only, never values).
    """

    name: str
    label: str | Promise
    model: type[models.Model]
    model_fields: tuple[str, ...]
    read: Callable[[Any], str]
    mask: Callable[[Any], str]
    applies: Callable[[Any], bool] = lambda obj: True

    def allowed_for(self, user, obj: Any = None, *, way: Way = Way.REVEAL) -> bool:
        """Whether ``user`` may see this value of ``obj`` this way (the record decides for
        grants bound to an order's status)."""
        return all(
            may_see(user, self.model, field, way=way, record=obj) for field in self.model_fields
        )


@dataclass(frozen=True)
class RevealTarget:
    """A kind of record with revealable values: a customer, an order."""

    target_type: str
    permission: Permission
    fields: tuple[Revealable, ...]
    subject_of: Callable[[Any], uuid.UUID | None]
    target_id_of: Callable[[Any], str]
    title_of: Callable[[Any], str]
    back_url_of: Callable[[Any], str]

    def field(self, name: str) -> Revealable | None:
        return next((field for field in self.fields if field.name == name), None)

    def fields_of(self, obj: Any) -> list[Revealable]:
        return [field for field in self.fields if field.applies(obj)]

    def may_open(self, user) -> bool:
        return has_permission(user, self.permission)

    def revealable_by(self, user, obj: Any, *, way: Way = Way.REVEAL) -> list[Revealable]:
        """The fields of ``obj`` this staff member may see this way (none without the page)."""
        if not self.may_open(user):
            return []
        return [field for field in self.fields_of(obj) if field.allowed_for(user, obj, way=way)]


def field_names(fields: Iterable[Revealable]) -> list[str]:
    """The inventory field names behind ``fields``, for the audit log."""
    return list(dict.fromkeys(name for field in fields for name in field.model_fields))


def reason_checked(reason_category: str, reason: str) -> tuple[str, str]:
    """A reason category of the list and a sentence of 10 to 300 characters, or a 400."""
    category = str(reason_category or "")
    text = str(reason or "").strip()
    errors: dict[str, list[str]] = {}
    if category not in RevealReason.values:
        errors["reason_category"] = [_("Choose a reason.")]
    if not text:
        errors["reason"] = [_("Explain why you need this value.")]
    elif len(text) < REASON_MIN_LENGTH:
        errors["reason"] = [_("Write at least 10 characters.")]
    elif len(text) > REASON_MAX_LENGTH:
        errors["reason"] = [_("Write at most 300 characters.")]
    if errors:
        raise StaffError(
            StaffErrorCode.INVALID_INPUT, _("Give a reason for seeing this."), field_errors=errors
        )
    return category, text


def refused(
    *, actor, target_type: str, target_id: str, subject_id, names: Iterable[str], client: str
) -> RevealRefused:
    """Record a look the actor may not have, and return the error that refuses it."""
    reveal_refused_record(
        actor=actor,
        target_type=target_type,
        target_id=target_id,
        subject_id=subject_id,
        fields=names,
        client=client,
    )
    return RevealRefused("reveal_refused", _("Your role may not see these values in clear."))


def reveal_values(
    *,
    actor,
    target: RevealTarget,
    obj: Any,
    fields: Sequence[Revealable],
    reason_category: str,
    reason: str,
    client: str,
    way: Way = Way.REVEAL,
) -> list[tuple[str, str]]:
    """The clear values of ``fields`` of ``obj`` as (label, value), checked and recorded.

    Refused and recorded (``RevealRefused``) unless the actor may open the record and see every
    field this way now; a bad reason is a 400 that records nothing.
    """
    allowed = (
        bool(fields)
        and target.may_open(actor)
        and all(field.applies(obj) and field.allowed_for(actor, obj, way=way) for field in fields)
    )
    if not allowed:
        raise refused(
            actor=actor,
            target_type=target.target_type,
            target_id=target.target_id_of(obj),
            subject_id=target.subject_of(obj),
            names=field_names(fields),
            client=client,
        )
    reason_category, reason = reason_checked(reason_category, reason)
    with transaction.atomic():
        reveal_record(
            actor=actor,
            target_type=target.target_type,
            target_id=target.target_id_of(obj),
            subject_id=target.subject_of(obj),
            fields=field_names(fields),
            reason_category=reason_category,
            reason=reason,
            client=client,
        )
        return [(str(field.label), field.read(obj) or NOTHING) for field in fields]


def delivery_values(
    *, actor, target: RevealTarget, obj: Any, fields: Sequence[Revealable], client: str
) -> list[tuple[str, str]]:
    """The delivery details fulfilment sees on the page of an order it packs or ships.

    The same checked, recorded read as a reveal, in the "on the page of the work" way, with
    delivery as the reason: each page view is one entry on the customer's "who looked".
    """
    return reveal_values(
        actor=actor,
        target=target,
        obj=obj,
        fields=fields,
        reason_category=RevealReason.DELIVERY,
        reason=DELIVERY_REASON,
        client=client,
        way=Way.AT_WORK,
    )
