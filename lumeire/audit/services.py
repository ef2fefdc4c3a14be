"""Appending to the audit log: the only writer of AuditEntry (``checkpoints.py`` alone moves old
entries out).

Each entry's hash is an HMAC under the chain key (``chain.py``, ``keys.py``), derived from the
master key and never stored in the database, so rewriting the log takes that key and not only
database access. Call ``audit_record`` inside the transaction of the change it records, so both
commit or neither does. Appends are serialised by locking the one ``AuditHead`` row (SELECT ...
FOR UPDATE on PostgreSQL; SQLite's IMMEDIATE transactions already hold the write lock): the lock
is held until the caller commits, so record at the end of the transaction to keep the wait short.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lumeire.audit.actions import AuditAction
from lumeire.audit.actors import actor_columns
from lumeire.audit.chain import GENESIS_HASH, keyed_hash
from lumeire.audit.errors import AuditReasonError
from lumeire.audit.keys import CHAIN, current_key
from lumeire.audit.models import (
    REASON_MAX_LENGTH,
    AuditCheckpoint,
    AuditEntry,
    AuditHead,
    RevealReason,
)

# A field is named, never quoted: a value (an email, a number with spaces) cannot pass.
FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
TYPE_NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)?$")
KEYED_HASH = re.compile(r"^[0-9a-f]{64}$")
TARGET_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")


def _check(
    *,
    target_type: str,
    target_id: str,
    fields: list[str],
    reason_category: str,
    reason: str,
    client_ref: str,
) -> None:
    """Programming mistakes that would put a value where a name belongs fail loudly."""
    if target_type and not TYPE_NAME.match(target_type):
        raise ValueError("target_type is a model label such as 'orders.order'")
    if target_id and not TARGET_ID.match(target_id):
        raise ValueError("target_id is a record's id or number")
    for name in fields:
        if not FIELD_NAME.match(name):
            raise ValueError("fields are field names, never values")
    if reason_category and reason_category not in RevealReason.values:
        raise ValueError(f"unknown reason category {reason_category!r}")
    if client_ref and not KEYED_HASH.match(client_ref):
        raise ValueError("client_ref is a keyed hash (pseudonyms.client_ref), never an address")
    if len(reason) > REASON_MAX_LENGTH:
        raise AuditReasonError(
            "reason_too_long",
            _("Keep the reason under %(limit)d characters.") % {"limit": REASON_MAX_LENGTH},
            field_errors={"reason": [_("This reason is too long.")]},
        )


def _locked_head() -> AuditHead:
    """The head row, locked; made when missing (a new or flushed table) from the last entry or
    the newest checkpoint's last entry, whichever is later (every entry may be archived)."""
    head = AuditHead.objects.select_for_update().filter(pk=1).first()
    if head is not None:
        return head
    candidates = [
        AuditEntry.objects.order_by("-id").values_list("id", "entry_hash").first(),
        AuditCheckpoint.objects.order_by("-sequence").values_list("last_id", "last_hash").first(),
    ]
    last = max((c for c in candidates if c is not None), default=None)
    seed = AuditHead(pk=1, last_id=last[0], last_hash=last[1]) if last else AuditHead(pk=1)
    AuditHead.objects.bulk_create([seed], ignore_conflicts=True)
    return AuditHead.objects.select_for_update().get(pk=1)


def audit_record(
    *,
    actor,
    action: str,
    target_type: str = "",
    target_id: str = "",
    subject_id: uuid.UUID | None = None,
    fields: Iterable[str] = (),
    reason_category: str = "",
    reason: str = "",
    client_ref: str = "",
    actor_roles: Iterable[str] | None = None,
) -> AuditEntry:
    """Append one entry to the chain; ``actor`` is a User or None for the store itself.

    ``action`` is a registered audit action (see ``actions.py``); ``fields`` are names only and
    ``client_ref`` an already keyed hash; ``actor_roles`` defaults to the role values of the staff
    member's groups.
    """
    action = AuditAction(action)
    field_names = [str(name) for name in fields]
    reason = (reason or "").strip()
    target_id = str(target_id or "")
    _check(
        target_type=target_type,
        target_id=target_id,
        fields=field_names,
        reason_category=str(reason_category or ""),
        reason=reason,
        client_ref=client_ref or "",
    )
    kind, actor_id, roles = actor_columns(actor, actor_roles)
    chain_key = current_key(CHAIN)  # a missing or malformed master key stops here, before the lock
    # No savepoint of its own: a failed append fails the caller's transaction, so the change it
    # records cannot commit without it (and each append saves two round trips).
    with transaction.atomic(savepoint=False):
        head = _locked_head()
        entry = AuditEntry(
            id=head.last_id + 1,
            at=timezone.now(),
            actor_kind=str(kind),
            actor_id=actor_id,
            actor_roles=roles,
            action=str(action),
            target_type=target_type,
            target_id=target_id,
            subject_id=uuid.UUID(str(subject_id)) if subject_id is not None else None,
            fields=field_names,
            reason_category=str(reason_category or ""),
            reason=reason,
            client_ref=client_ref or "",
            prev_hash=head.last_hash or GENESIS_HASH,
            key_id=chain_key.key_id,
        )
        entry.entry_hash = keyed_hash(entry.hashed_row(), chain_key.key_id, chain_key.secret)
        entry.save(force_insert=True)
        head.last_id = entry.id
        head.last_hash = entry.entry_hash
        head.save(update_fields=["last_id", "last_hash"])
    return entry
