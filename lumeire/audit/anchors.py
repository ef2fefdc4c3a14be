"""Signed heads of the audit log kept outside the database: what the log held, and when.

A keyed chain stops anyone without the master key from rewriting entries, but not from cutting
off the newest ones: what is left still chains. So at least once a minute the worker
(``tasks.py``) or ``manage.py audit_anchor`` checks the entries appended since the previous
anchor and writes an anchor: the newest entry's id and hash, the number of entries, the time and
an HMAC-SHA256 under the anchor key (derived from the master key, see ``keys.py``), one small
JSON file per anchor in the "audit_anchors" storage: ``LUMEIRE_AUDIT_ANCHOR_DIR`` (folder 0700,
files 0600), or the bucket every node shares when LUMEIRE_STORAGE_URL names one, so that the
anchors of every node's worker form one series. The latest ``KEEP_LATEST`` stay, and the
newest of each of the last ``KEEP_DAILY_DAYS`` days.

``audit_verify`` reads them all: every file must carry a valid signature; every anchored entry
must still be in the log with the anchored hash (or inside a signed checkpoint); the log must
hold at least the newest anchor's count; and the newest anchor must be recent. What stays open:
entries appended after the newest anchor can be cut off unseen, and a folder put back to older
anchors that are still recent enough widens that window to their age. Keep the folder where
those who administer the database cannot write (another volume, host or account).
"""

from __future__ import annotations

import hmac
import json
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from django.core.files.storage import Storage, storages
from django.utils import timezone

from lumeire.audit.chain import (
    CHAIN_COLUMNS,
    ENTRY_HASH,
    GENESIS_HASH,
    KEY_ID,
    ChainBreak,
    ChainWalker,
    canonical_json,
    canonical_time,
)
from lumeire.audit.errors import AuditAnchorRefusedError
from lumeire.audit.keys import ANCHOR, CHAIN, current_key, key_ring
from lumeire.audit.models import AuditCheckpoint, AuditEntry
from lumeire.audit.verification import (
    ChainOutcome,
    head_recorded,
    live_rows,
    verify_chain,
    walk_live,
)
from lumeire.core.storage_backends import StagedWrite, is_local

logger = logging.getLogger("lumeire.audit")

ANCHOR_VERSION = 1
KEEP_LATEST = 60  # an hour of anchors at one a minute
KEEP_DAILY_DAYS = 366
DEFAULT_MAX_AGE = timedelta(seconds=180)  # three missed minutes before audit_verify fails
MAX_FUTURE = timedelta(minutes=5)  # a newer anchor than that means a clock set wrong
_MAX_FILE_BYTES = 4096
_NAME = re.compile(r"^head-(?P<day>\d{8})T\d{6}\.\d{6}Z-\d{1,19}\.json$")
_FIELDS = {"anchor", "entry_id", "entry_hash", "count", "at", "key_id", "mac"}
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class Anchor:
    """One signed head: the log held ``count`` entries, the newest ``entry_id`` with this hash."""

    entry_id: int
    entry_hash: str
    count: int
    at: datetime
    key_id: str
    name: str = ""

    def signed(self) -> bytes:
        """The bytes the anchor key signs: every field but the name, as canonical JSON."""
        return canonical_json(
            {
                "anchor": ANCHOR_VERSION,
                "entry_id": self.entry_id,
                "entry_hash": self.entry_hash,
                "count": self.count,
                "at": canonical_time(self.at),
                "key_id": self.key_id,
            }
        )

    def mac(self, key: bytes) -> str:
        return hmac.digest(key, self.signed(), "sha256").hex()

    def describe(self) -> str:
        return f"{self.name or 'the anchor'} of {canonical_time(self.at)}"


def anchor_storage() -> Storage:
    return storages["audit_anchors"]


def anchor_dir(*, create: bool = False) -> Path:
    """The folder of a local anchor storage: outside MEDIA_ROOT and static files, never served;
    ideally another volume or host."""
    folder = Path(anchor_storage().path(""))
    if create:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def anchor_place() -> str:
    """Where anchors are kept, as an operator would look for them."""
    if is_local(anchor_storage()):
        return str(anchor_dir())
    return "the audit anchor storage (LUMEIRE_STORAGE_URL)"


def write_anchor(
    *, entry_id: int, entry_hash: str, count: int, at: datetime | None = None
) -> Anchor:
    """Sign and write one anchor file as given, then prune old ones. ``audit_anchor`` is the
    checked way; this alone trusts its caller (a benchmark that built the chain itself).

    The file appears whole or not at all: in a folder written aside, flushed and renamed (the
    rename synced); in a bucket one upload.
    """
    at = at or timezone.now()
    key = current_key(ANCHOR)
    name = f"head-{at.astimezone(UTC):%Y%m%dT%H%M%S.%fZ}-{int(entry_id)}.json"
    anchor = Anchor(int(entry_id), str(entry_hash), int(count), at, key.key_id, name)
    body = json.loads(anchor.signed())
    body["mac"] = anchor.mac(key.secret)
    staged = StagedWrite(anchor_storage(), name)
    try:
        staged.write(canonical_json(body) + b"\n")
    except BaseException:
        staged.discard()
        raise
    staged.commit()
    prune_anchors()
    return anchor


def _kept(names: list[str]) -> set[str]:
    """The latest ``KEEP_LATEST`` names and the newest of each recent day (names sort by time)."""
    kept = set(names[-KEEP_LATEST:])
    newest_of_day: dict[str, str] = {}
    for name in names:
        newest_of_day[_NAME.match(name)["day"]] = name
    if names:
        last_day = date.fromisoformat(_NAME.match(names[-1])["day"])
        for day, name in newest_of_day.items():
            if (last_day - date.fromisoformat(day)).days < KEEP_DAILY_DAYS:
                kept.add(name)
    return kept


def _anchor_names() -> list[str] | None:
    """The names of anchor files, oldest first (names sort by time); None without a folder."""
    try:
        _folders, names = anchor_storage().listdir("")
    except (FileNotFoundError, NotADirectoryError):
        return None
    return sorted(name for name in names if _NAME.match(name))


def prune_anchors() -> int:
    """Delete the anchors no longer kept; return how many went."""
    names = _anchor_names() or []
    kept = _kept(names)
    store = anchor_storage()
    gone = 0
    for name in names:
        if name not in kept:
            store.delete(name)  # one already gone (another node pruned it) is no error
            gone += 1
    return gone


@dataclass
class AnchorFolder:
    """The anchors whose signatures hold, oldest first, and what is wrong with the others."""

    anchors: list[Anchor] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def newest(self) -> Anchor | None:
        return self.anchors[-1] if self.anchors else None


def _stored_bytes(name: str) -> bytes:
    with anchor_storage().open(name, "rb") as stored:
        data = stored.read(_MAX_FILE_BYTES + 1)
    if len(data) > _MAX_FILE_BYTES:
        raise ValueError("it is too large to be an anchor")
    return data


def _parse(name: str, data: bytes, ring: dict[str, bytes]) -> Anchor:
    """The anchor the file holds, or ValueError saying why it is not one of ours."""
    try:
        body = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        raise ValueError("it is not an anchor (not JSON)") from None
    if (
        not isinstance(body, dict)
        or set(body) != _FIELDS
        or body["anchor"] != ANCHOR_VERSION
        or not all(isinstance(body[name], int) for name in ("entry_id", "count"))
        or not all(isinstance(body[name], str) for name in ("entry_hash", "at", "key_id", "mac"))
        or not _HEX64.match(body["entry_hash"])
    ):
        raise ValueError("it is not an anchor (fields missing or of the wrong kind)")
    try:
        at = datetime.fromisoformat(body["at"])
    except ValueError:
        raise ValueError("it is not an anchor (its time does not read)") from None
    if at.tzinfo is None:
        raise ValueError("it is not an anchor (its time has no zone)")
    anchor = Anchor(body["entry_id"], body["entry_hash"], body["count"], at, body["key_id"], name)
    key = ring.get(anchor.key_id)
    if key is None:
        raise ValueError(
            f"it is signed with key {anchor.key_id}, which no configured master key gives: put "
            "the master key it was made under in LUMEIRE_MASTER_KEYS_RETIRED"
        )
    if not hmac.compare_digest(anchor.mac(key), body["mac"]):
        raise ValueError("its signature does not match its contents (forged or altered)")
    return anchor


def read_anchors() -> AnchorFolder:
    """Every anchor file in the storage, checked; files of other names are not looked at."""
    found = AnchorFolder()
    names = _anchor_names()
    if names is None:
        return found
    ring = key_ring(ANCHOR)
    for name in names:
        try:
            found.anchors.append(_parse(name, _stored_bytes(name), ring))
        except (ValueError, OSError) as problem:
            found.problems.append(f"{name}: {problem}")
    found.anchors.sort(key=lambda anchor: (anchor.at, anchor.count))
    return found


# --- Writing an anchor once the entries since the previous one hold ----------------------------


def _verify_since(previous: Anchor | None, chunk_size: int) -> ChainOutcome:
    """The chain checked from the previous anchor on (the whole log when there is none, or when
    its entry has since moved into a checkpoint): only what was appended since is read."""
    newest = AuditCheckpoint.objects.order_by("-sequence").first()
    sealed_up_to = newest.last_id if newest else 0
    if previous is None or previous.entry_id == 0 or previous.entry_id <= sealed_up_to:
        return verify_chain(chunk_size=chunk_size)
    recorded = head_recorded()  # read first: appends after it are not a cut
    row = AuditEntry.objects.filter(id=previous.entry_id).values_list(*CHAIN_COLUMNS).first()

    def broken(entry_id: int, why: str, last_id: int, head: str) -> ChainOutcome:
        return ChainOutcome(previous.count, head, entry_id, why, last_id=last_id)

    if row is None:
        why = f"it is missing, although {previous.describe()} records it"
        return broken(previous.entry_id, why, previous.entry_id, previous.entry_hash)
    if row[ENTRY_HASH] != previous.entry_hash:
        why = f"its hash is not the one {previous.describe()} records"
        return broken(previous.entry_id, why, previous.entry_id, previous.entry_hash)
    walker = ChainWalker(
        key_ring(CHAIN),
        last_id=previous.entry_id,
        last_hash=previous.entry_hash,
        keyed=bool(row[KEY_ID]),
    )
    try:
        walk_live(
            walker,
            live_rows(previous.entry_id, chunk_size),
            sealed_up_to=sealed_up_to,
            sealed_by=newest.sequence if newest else 0,
        )
    except ChainBreak as stop:
        return broken(stop.entry_id, stop.why, walker.last_id, walker.last_hash)
    count = previous.count + walker.last_id - previous.entry_id
    if recorded > walker.last_id:
        why = f"the log ends at entry {walker.last_id} but its head records entry {recorded}"
        return broken(walker.last_id + 1, why, walker.last_id, walker.last_hash)
    return ChainOutcome(count, walker.last_hash, last_id=walker.last_id)


def audit_anchor(*, chunk_size: int = 5000) -> Anchor:
    """Check the entries appended since the newest anchor, then sign and write the new head.

    Raises ``AuditAnchorRefusedError`` (and writes nothing) when they do not hold: an anchor
    must never vouch for a log that was cut or rewritten. Files in the folder that are not valid
    anchors are left for ``audit_verify`` to report; the newest valid one is the starting point.
    """
    folder = read_anchors()
    for problem in folder.problems:
        logger.warning(
            "audit anchor folder holds a file that is not a valid anchor: %s",
            problem,
            extra={"event": "audit_anchor_invalid_file"},
        )
    outcome = _verify_since(folder.newest, chunk_size)
    if outcome.broken_at is not None:
        raise AuditAnchorRefusedError(outcome.summary())
    return write_anchor(entry_id=outcome.last_id, entry_hash=outcome.head, count=outcome.count)


# --- Checking the anchors against the log ------------------------------------------------------


@dataclass(frozen=True)
class AnchorVerdict:
    ok: bool
    line: str


def _anchored_hashes(anchors: Iterable[Anchor]) -> dict[int, str]:
    ids = sorted({anchor.entry_id for anchor in anchors if anchor.entry_id > 0})
    found: dict[int, str] = {}
    for start in range(0, len(ids), 500):
        found.update(
            AuditEntry.objects.filter(id__in=ids[start : start + 500]).values_list(
                "id", "entry_hash"
            )
        )
    return found


def _anchor_problem(
    anchor: Anchor, live: dict[int, str], checkpoints: list[tuple], outcome: ChainOutcome
) -> str | None:
    """Why the log no longer holds what ``anchor`` signed, or None."""
    if anchor.count > outcome.count:
        return (
            f"the log holds {outcome.count} entries but {anchor.describe()} records "
            f"{anchor.count}: entries were cut off or removed"
        )
    if anchor.entry_id == 0:
        return None if anchor.entry_hash == GENESIS_HASH else f"{anchor.describe()} is malformed"
    if anchor.entry_id in live:
        if live[anchor.entry_id] != anchor.entry_hash:
            return (
                f"entry {anchor.entry_id} does not carry the hash {anchor.describe()} records: "
                "it was rewritten"
            )
        return None
    for first_id, last_id, last_hash in checkpoints:
        if first_id <= anchor.entry_id <= last_id:
            # A signed checkpoint vouches for its range; its end hash is checked exactly.
            if anchor.entry_id == last_id and last_hash != anchor.entry_hash:
                return f"checkpoint's last hash differs from {anchor.describe()}"
            return None
    return (
        f"entry {anchor.entry_id}, which {anchor.describe()} records, is not in the log (it "
        f"ends at entry {outcome.last_id}): entries were cut off or removed"
    )


def check_anchors(
    outcome: ChainOutcome,
    *,
    max_age: timedelta = DEFAULT_MAX_AGE,
    allow_stale: bool = False,
    now: datetime | None = None,
) -> AnchorVerdict:
    """Whether the log still holds what every kept anchor signed, and the newest is recent."""
    now = now or timezone.now()
    folder = read_anchors()
    if folder.problems:
        more = f" (and {len(folder.problems) - 1} more)" if len(folder.problems) > 1 else ""
        return AnchorVerdict(False, f"ANCHOR BROKEN: {folder.problems[0]}{more}")
    newest = folder.newest
    if newest is None:
        line = (
            f"ANCHOR MISSING: no signed head in {anchor_place()}; the worker writes one every "
            "minute, `manage.py audit_anchor` writes one now"
        )
        return AnchorVerdict(allow_stale, line + (" (allowed)" if allow_stale else ""))
    live = _anchored_hashes(folder.anchors)
    checkpoints = list(
        AuditCheckpoint.objects.order_by("sequence").values_list("first_id", "last_id", "last_hash")
    )
    for anchor in reversed(folder.anchors):
        problem = _anchor_problem(anchor, live, checkpoints, outcome)
        if problem is not None:
            return AnchorVerdict(False, f"ANCHOR BROKEN: {problem}")
    age = now - newest.at
    seconds = int(age.total_seconds())
    if age < -MAX_FUTURE:
        return AnchorVerdict(
            False, f"ANCHOR BROKEN: {newest.describe()} is dated in the future: check the clock"
        )
    held = (
        f"entry {newest.entry_id} ({newest.count} entries) signed {max(seconds, 0)} s ago, "
        f"{len(folder.anchors)} anchors checked"
    )
    if age > max_age:
        line = (
            f"ANCHOR STALE: the newest, {held}, is older than {int(max_age.total_seconds())} s; "
            "is the worker running? `manage.py audit_anchor` writes one now"
        )
        return AnchorVerdict(allow_stale, line + (" (allowed)" if allow_stale else ""))
    return AnchorVerdict(True, f"ANCHOR OK: {held}")
