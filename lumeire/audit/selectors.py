"""Reads of the audit log: a customer's reveals, and the back office's filtered list."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from lumeire.audit.actions import AuditAction
from lumeire.audit.models import AuditEntry

# What ``AuditFilters.term`` matches, in the words of the page that offers the search.
TERM_HELP = _(
    "An exact staff or customer account id, or the exact id of a record (such as an order)."
)


def reveals_of_subject(subject_id: uuid.UUID, *, limit: int | None = None) -> list[AuditEntry]:
    """Each staff look at one customer's data, newest first (the actions their apps declare as
    shown to the customer); refused attempts are not theirs to see."""
    entries = AuditEntry.objects.filter(
        subject_id=subject_id, action__in=sorted(AuditAction.shown_to_customer)
    ).order_by("-id")
    return list(entries[:limit] if limit is not None else entries)


@dataclass(frozen=True)
class AuditFilters:
    """What the back office narrows the log by; every part optional, all of them exact."""

    actor_kind: str = ""
    action: str = ""
    target_type: str = ""
    target_id: str = ""
    actor_id: uuid.UUID | None = None
    subject_id: uuid.UUID | None = None
    since: datetime | None = None
    until: datetime | None = None
    term: str = ""  # an exact actor, subject or target id


def _as_uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def audit_entries(filters: AuditFilters | None = None) -> QuerySet[AuditEntry]:
    """The log newest first, narrowed by ``filters``; exact matches only, so indexes serve it."""
    filters = filters or AuditFilters()
    entries = AuditEntry.objects.order_by("-id")
    if filters.actor_kind:
        entries = entries.filter(actor_kind=filters.actor_kind)
    if filters.action:
        entries = entries.filter(action=filters.action)
    if filters.target_type:
        entries = entries.filter(target_type=filters.target_type)
    if filters.target_id:
        entries = entries.filter(target_id=filters.target_id)
    if filters.actor_id is not None:
        entries = entries.filter(actor_id=filters.actor_id)
    if filters.subject_id is not None:
        entries = entries.filter(subject_id=filters.subject_id)
    if filters.since is not None:
        entries = entries.filter(at__gte=filters.since)
    if filters.until is not None:
        entries = entries.filter(at__lt=filters.until)
    term = filters.term.strip()
    if term:
        match = Q(target_id=term[:64])
        if (as_uuid := _as_uuid(term)) is not None:
            match |= Q(actor_id=as_uuid) | Q(subject_id=as_uuid) | Q(target_id=str(as_uuid))
        entries = entries.filter(match)
    return entries
