"""Walk the audit log in id order and find the first entry whose hash or link does not hold."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection

from lumeire.audit.chain import GENESIS_HASH, HASHED_COLUMNS, entry_hash
from lumeire.audit.models import AuditEntry, AuditHead
from lumeire.audit.protection import is_protected


@dataclass(frozen=True)
class ChainOutcome:
    count: int
    head: str
    broken_at: int | None = None
    why: str = ""
    protected: bool = True


def verify_chain(*, chunk_size: int = 5000) -> ChainOutcome:
    """Stream the rows (a server-side cursor on PostgreSQL) so memory stays flat at any size."""
    rows = (
        AuditEntry.objects.order_by("id")
        .values_list(*HASHED_COLUMNS, "entry_hash")
        .iterator(chunk_size=chunk_size)
    )
    previous_id = 0
    previous_hash = GENESIS_HASH
    count = 0
    for row in rows:
        entry_id = row[0]
        if entry_id != previous_id + 1:
            missing = "the first entry" if previous_id == 0 else f"entry {previous_id + 1}"
            return ChainOutcome(
                count, previous_hash, entry_id, f"{missing} is missing (ids must follow on)"
            )
        if row[13] != previous_hash:
            before = "the chain's start" if previous_id == 0 else f"entry {previous_id}"
            return ChainOutcome(
                count, previous_hash, entry_id, f"its previous hash does not match {before}"
            )
        if entry_hash(row[:14]) != row[14]:
            return ChainOutcome(
                count, previous_hash, entry_id, "its hash does not match its contents"
            )
        previous_id = entry_id
        previous_hash = row[14]
        count += 1
    head = AuditHead.objects.filter(pk=1).values_list("last_id", "last_hash").first()
    if head is not None and head != (previous_id, previous_hash) and head[0] > previous_id:
        return ChainOutcome(
            count,
            previous_hash,
            previous_id + 1,
            f"the log ends at entry {previous_id} but its head records entry {head[0]}",
        )
    return ChainOutcome(count, previous_hash, protected=is_protected(connection))
