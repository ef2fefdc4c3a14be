"""The chain of the audit log, in plain Python so a verifier or a benchmark needs no ORM.

An entry's canonical form is sorted-key compact JSON of every column but ``entry_hash``
(``prev_hash`` included), ``at`` as ISO 8601 UTC with microseconds, UUIDs as lowercase hyphenated
text. The store writes keyed entries: ``entry_hash`` is the HMAC-SHA256 of the canonical form,
``key_id`` included, under the chain key, which is derived from the master key and never stored
in the database (``keys.py``); ``key_id`` names it. Whoever can write to the database but holds
no master key can still change rows, but cannot give a changed, removed or reordered entry, or
anything after it, a hash that holds.

Entries written before the chain was keyed carry a plain SHA-256 of their canonical form (no
``key_id`` in it) and an empty ``key_id``; they are never rewritten. Migration 0009 appended a
keyed seal entry after them, whose HMAC covers the last plain hash. ``ChainWalker`` accepts
plain entries only as that first run, followed by the seal, and keyed entries from then on.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

GENESIS_HASH = "0" * 64
_ZERO = timedelta(0)
# The action of the entry that keys the chain after a run of plain (legacy) entries.
SEAL_ACTION = "audit_chain_sealed"

# Every column of audit_auditentry covered by its hash, in the order readers fetch them.
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
# What a verifier reads of each entry: the hashed columns, then the key id and the hash.
CHAIN_COLUMNS = (*HASHED_COLUMNS, "key_id", "entry_hash")
ID, ACTION, PREV_HASH, KEY_ID, ENTRY_HASH = 0, 5, 13, 14, 15

_encode = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode
# What the encoder above writes for one string (the C function on CPython).
_string = json.encoder.encode_basestring


def canonical_time(at: datetime) -> str:
    """``at`` in UTC as ``YYYY-MM-DDTHH:MM:SS.ffffffZ``: one spelling whatever the database."""
    if at.tzinfo is None:
        raise ValueError("audit times are aware")
    if at.utcoffset() == _ZERO:
        return at.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"
    return at.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def _uuid_text(value: uuid.UUID | str | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, uuid.UUID):
        return str(value)
    # Stored text taken as it is, for speed: a spelling other than the canonical one fails the
    # hash (the canonical text of the UUID hashed is the only one that passes).
    if len(value) == 32:  # SQLite keeps a UUID as 32 hex digits
        return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"
    if len(value) == 36:  # PostgreSQL's uuid::text, already canonical
        return value
    return str(uuid.UUID(value))


def _time_text(value: datetime | str) -> str:
    if isinstance(value, datetime):
        if value.tzinfo is None:  # a SQLite cursor gives the stored UTC wall time, no zone
            return value.isoformat(timespec="microseconds") + "Z"
        return canonical_time(value)
    if len(value) == 27 and value[10] == "T" and value[26] == "Z":  # canonical already
        return value
    # SQLite keeps an aware time as its UTC wall time, "YYYY-MM-DD HH:MM:SS[.ffffff]".
    if len(value) == 26 and value[10] == " " and value[19] == ".":
        return f"{value[:10]}T{value[11:]}Z"
    if len(value) == 19 and value[10] == " ":
        return f"{value[:10]}T{value[11:]}.000000Z"
    parsed = datetime.fromisoformat(value)
    return canonical_time(parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC))


def canonical_row(row: tuple) -> tuple:
    """A row (``HASHED_COLUMNS`` first, then anything) with each hashed value in its canonical
    spelling: time as UTC text, UUIDs as hyphenated text, fields as a list. Takes Python values
    (the ORM's, an archive's) and a cursor's own (SQLite's text, JSON as text) alike; ValueError
    or TypeError when a value does not read."""
    fields = row[9]
    if isinstance(fields, str):
        fields = json.loads(fields)
    return (
        int(row[0]),
        _time_text(row[1]),
        row[2],
        _uuid_text(row[3]),
        row[4],
        row[5],
        row[6],
        row[7],
        _uuid_text(row[8]),
        list(fields),
        *row[10:],
    )


def canonical_fields(row: tuple) -> dict:
    """One entry's columns in their canonical spelling; ``row`` starts with ``HASHED_COLUMNS``."""
    return dict(zip(HASHED_COLUMNS, canonical_row(row[:14]), strict=True))


def canonical_json(value: dict) -> bytes:
    """Sorted-key compact JSON in UTF-8: the one spelling hashed or signed anywhere in the log."""
    return _encode(value).encode("utf-8")


def _null_or_string(value: str | None) -> str:
    return "null" if value is None else _string(value)


def _string_list(values: list) -> str:
    return "[" + ",".join(map(_string, values)) + "]"


def _canonical_bytes_of(canonical: tuple, key_id: str | None) -> bytes:
    """``canonical_json`` of a canonical row (and ``key_id`` unless None), written out in the
    keys' sorted order for the value types an entry has: several times faster than the encoder,
    which still writes any row whose values are of other types. ``_string`` refuses anything
    but text, so such a row falls through to it."""
    c = canonical
    try:
        keyed = "" if key_id is None else f'"key_id":{_string(key_id)},'
        if type(c[0]) is not int:
            raise TypeError
        text = (
            f'{{"action":{_string(c[5])},"actor_id":{_null_or_string(c[3])},'
            f'"actor_kind":{_string(c[2])},"actor_roles":{_string(c[4])},"at":{_string(c[1])},'
            f'"client_ref":{_string(c[12])},"fields":{_string_list(c[9])},"id":{c[0]},{keyed}'
            f'"prev_hash":{_string(c[13])},"reason":{_string(c[11])},'
            f'"reason_category":{_string(c[10])},"subject_id":{_null_or_string(c[8])},'
            f'"target_id":{_string(c[7])},"target_type":{_string(c[6])}}}'
        )
    except TypeError:
        values = dict(zip(HASHED_COLUMNS, canonical, strict=False))
        if key_id is not None:
            values["key_id"] = key_id
        return canonical_json(values)
    return text.encode("utf-8")


def canonical_bytes(row: tuple) -> bytes:
    """What a plain (legacy) entry's SHA-256 covers; ``row`` starts with ``HASHED_COLUMNS``."""
    return _canonical_bytes_of(canonical_row(row[:14]), None)


def keyed_bytes(row: tuple, key_id: str) -> bytes:
    """What a keyed entry's HMAC covers: the canonical form with the key id in it."""
    return _canonical_bytes_of(canonical_row(row[:14]), key_id)


def plain_hash(row: tuple) -> str:
    """The hex SHA-256 a plain (legacy) entry with these columns carries."""
    return hashlib.sha256(canonical_bytes(row)).hexdigest()


def keyed_hash(row: tuple, key_id: str, key: bytes) -> str:
    """The hex HMAC-SHA256 under the chain key ``key`` (named ``key_id``) a keyed entry carries."""
    return hmac.digest(key, keyed_bytes(row, key_id), "sha256").hex()


def archive_line(row: tuple) -> bytes:
    """One archived entry, ``row`` following ``CHAIN_COLUMNS``, as one canonical JSON line."""
    fields = canonical_fields(row)
    fields["key_id"] = row[KEY_ID]
    fields["entry_hash"] = row[ENTRY_HASH]
    return canonical_json(fields) + b"\n"


def row_of_archive_line(line: bytes) -> tuple:
    """The row (``CHAIN_COLUMNS``) an archive line holds, or ValueError. Lines archived before
    the chain was keyed have no ``key_id``: they are plain entries."""
    value = json.loads(line)
    if not isinstance(value, dict):
        raise ValueError("not an audit entry")
    value.setdefault("key_id", "")
    if set(value) != set(CHAIN_COLUMNS):
        raise ValueError("not an audit entry")
    at = datetime.fromisoformat(value["at"])
    if (
        at.tzinfo is None
        or not isinstance(value["id"], int)
        or not isinstance(value["fields"], list)
        or not isinstance(value["key_id"], str)
    ):
        raise ValueError("not an audit entry")
    return tuple(at if name == "at" else value[name] for name in CHAIN_COLUMNS)


class ChainBreak(Exception):
    """The first entry that does not hold, and why."""

    def __init__(self, entry_id: int, why: str) -> None:
        super().__init__(f"entry {entry_id}: {why}")
        self.entry_id = entry_id
        self.why = why


class ChainWalker:
    """Checks entries one at a time, in id order, from a point already trusted.

    Rows follow ``CHAIN_COLUMNS`` with values as the ORM gives them or as a cursor reads them.
    ``last_id`` and ``last_hash`` are that point (the genesis, a checkpoint's end, an anchored
    entry); ``keyed`` says whether the chain is known to be keyed there already, when plain
    entries can no longer follow. ``keys`` maps key ids to chain keys (``keys.key_ring``).
    ``step`` raises ``ChainBreak`` at the first entry that does not hold; ``finish`` raises it
    when the walk ended on plain entries that no seal followed.
    """

    def __init__(
        self,
        keys: Mapping[str, bytes],
        *,
        last_id: int = 0,
        last_hash: str = GENESIS_HASH,
        keyed: bool = False,
    ) -> None:
        self._keys = keys
        self.last_id = last_id
        self.last_hash = last_hash
        self.keyed = keyed
        self.count = 0
        self._plain_from: int | None = None  # the first entry of a run of plain ones not sealed

    def step(self, row: tuple) -> None:
        """Check one entry (``CHAIN_COLUMNS``) against the one before it."""
        entry_id = row[ID]
        if entry_id != self.last_id + 1:
            missing = "the first entry" if self.last_id == 0 else f"entry {self.last_id + 1}"
            raise ChainBreak(entry_id, f"{missing} is missing (ids must follow on)")
        if row[PREV_HASH] != self.last_hash:
            before = "the chain's start" if self.last_id == 0 else f"entry {self.last_id}"
            raise ChainBreak(entry_id, f"its previous hash does not match {before}")
        try:
            canonical = canonical_row(row[:14])
        except (ValueError, TypeError, AttributeError):
            raise ChainBreak(entry_id, "its stored values do not read as an audit entry") from None
        key_id = row[KEY_ID]
        if key_id:
            key = self._keys.get(key_id)
            if key is None:
                raise ChainBreak(
                    entry_id,
                    f"it is keyed with {key_id}, which no configured master key gives: put the "
                    "master key it was made under in LUMEIRE_MASTER_KEYS_RETIRED",
                )
            mac = hmac.digest(key, _canonical_bytes_of(canonical, key_id), "sha256").hex()
            if not hmac.compare_digest(mac, str(row[ENTRY_HASH])):
                raise ChainBreak(entry_id, "its hash does not match its contents")
            if self._plain_from is not None and row[ACTION] != SEAL_ACTION:
                raise ChainBreak(
                    entry_id, "it follows plain entries but is not the seal that keys the chain"
                )
            self.keyed = True
            self._plain_from = None
        else:
            if self.keyed:
                raise ChainBreak(
                    entry_id, "it carries a plain SHA-256 hash where the chain is already keyed"
                )
            digest = hashlib.sha256(_canonical_bytes_of(canonical, None)).hexdigest()
            if digest != row[ENTRY_HASH]:
                raise ChainBreak(entry_id, "its hash does not match its contents")
            if self._plain_from is None:
                self._plain_from = entry_id
        self.last_id = entry_id
        self.last_hash = row[ENTRY_HASH]
        self.count += 1

    @property
    def sealed(self) -> bool:
        """Whether no run of plain entries waits for its seal."""
        return self._plain_from is None

    def finish(self) -> None:
        """The walk reached the end of the log: plain entries must have been sealed by then."""
        if self._plain_from is not None:
            raise ChainBreak(
                self._plain_from,
                f"entries {self._plain_from} to {self.last_id} carry plain SHA-256 hashes and no "
                "keyed seal follows them",
            )
