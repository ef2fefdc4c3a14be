"""Reading what staff did: the exports that held a customer, identity searches in the last hour."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.utils import timezone

from lumeire.audit.models import AuditEntry
from lumeire.staff.audit_actions import StaffAuditAction
from lumeire.staff.models import ExportedCustomer


def export_entries_of_subject(subject_id: uuid.UUID) -> list[AuditEntry]:
    """The audit entries of the clear exports that held this customer, newest first."""
    ids = ExportedCustomer.objects.filter(subject_id=subject_id).values("export_entry_id")
    entries = AuditEntry.objects.filter(pk__in=ids, action=StaffAuditAction.EXPORT)
    return list(entries.order_by("-id"))


def identity_searches_since(actor, *, within: timedelta) -> int:
    """How many searches by identity number the staff member made in the last ``within``
    (one ``identity_search`` entry each)."""
    since = timezone.now() - within
    entries = AuditEntry.objects.filter(
        actor_id=actor.pk, action=StaffAuditAction.IDENTITY_SEARCH, at__gte=since
    )
    return entries.count()
