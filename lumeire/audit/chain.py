"""The hash chain of the audit log, in plain Python so a verifier or a benchmark needs no ORM.

Each entry's hash is SHA-256 over its canonical serialisation: sorted-key compact JSON of every
column except ``entry_hash`` (``prev_hash`` included), ``at`` as ISO 8601 UTC with microseconds,
UUIDs as lowercase hyphenated text. Changing any column, or the order of entries, breaks a link.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, datetime

GENESIS_HASH = "0" * 64

# Every column of audit_auditentry but entry_hash, in the order readers fetch them.
HASHED_COLUMNS = (
    "id",
    "at",
    "actor_kind",
    "actor_id",
    "actor_roles",
    "action",
    "target_type",
    "target_id",
    "subject_id",
    "fields",
    "reason_category",
    "reason",
    "client_ref",
    "prev_hash",
)

_encode = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode


def canonical_time(at: datetime) -> str:
    """``at`` in UTC as ``YYYY-MM-DDTHH:MM:SS.ffffffZ``: one spelling whatever the database."""
    if at.tzinfo is None:
        raise ValueError("audit times are aware")
    return at.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def _uuid_text(value: uuid.UUID | str | None) -> str | None:
    if value is None:
        return None
    return str(value) if isinstance(value, uuid.UUID) else str(uuid.UUID(value))


def canonical_fields(row: tuple) -> dict:
    """One entry's columns in their canonical spelling; ``row`` follows ``HASHED_COLUMNS``."""
    (
        entry_id,
        at,
        actor_kind,
        actor_id,
        actor_roles,
        action,
        target_type,
        target_id,
        subject_id,
        fields,
        reason_category,
        reason,
        client_ref,
        prev_hash,
    ) = row
    return {
        "id": int(entry_id),
        "at": canonical_time(at),
        "actor_kind": actor_kind,
        "actor_id": _uuid_text(actor_id),
        "actor_roles": actor_roles,
        "action": action,
        "target_type": target_type,
        "target_id": target_id,
        "subject_id": _uuid_text(subject_id),
        "fields": list(fields),
        "reason_category": reason_category,
        "reason": reason,
        "client_ref": client_ref,
        "prev_hash": prev_hash,
    }


def canonical_json(value: dict) -> bytes:
    """Sorted-key compact JSON in UTF-8: the one spelling hashed or signed anywhere in the log."""
    return _encode(value).encode("utf-8")


def canonical_bytes(row: tuple) -> bytes:
    """The serialisation hashed for one entry; ``row`` follows ``HASHED_COLUMNS``."""
    return canonical_json(canonical_fields(row))


def entry_hash(row: tuple) -> str:
    """The hex SHA-256 an entry with these columns must carry."""
    return hashlib.sha256(canonical_bytes(row)).hexdigest()


def archive_line(row: tuple) -> bytes:
    """One archived entry: its canonical columns and its ``entry_hash``, as one JSON line.

    ``row`` follows ``HASHED_COLUMNS`` then ``entry_hash``.
    """
    return canonical_json({**canonical_fields(row[:14]), "entry_hash": row[14]}) + b"\n"


def row_of_archive_line(line: bytes) -> tuple:
    """The row (``HASHED_COLUMNS`` then ``entry_hash``) an archive line holds, or ValueError."""
    value = json.loads(line)
    if not isinstance(value, dict) or set(value) != {*HASHED_COLUMNS, "entry_hash"}:
        raise ValueError("not an audit entry")
    at = datetime.fromisoformat(value["at"])
    if (
        at.tzinfo is None
        or not isinstance(value["id"], int)
        or not isinstance(value["fields"], list)
    ):
        raise ValueError("not an audit entry")
    return (*(at if name == "at" else value[name] for name in HASHED_COLUMNS), value["entry_hash"])
