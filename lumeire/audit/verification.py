"""Walk the audit log in order and find the first checkpoint or entry that does not hold.

Checkpoints come first, in sequence: each must carry a valid signature by a configured key and
start where the previous one ended (ids and hashes; the first at entry 1 and the genesis hash).
The live chain then continues from the newest checkpoint's last entry, every keyed entry's HMAC
recomputed under its chain key (``chain.ChainWalker``). With ``archives=True`` each checkpoint's
archive file is opened too and every entry in it recomputed. Rows are read a chunk at a time by
id, so memory stays flat at any size.

What the chain cannot show by itself, entries cut off its newest end, the signed heads outside
the database show (``anchors.py``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import BinaryIO

from django.db import connection

from lumeire.audit.archive import (
    ArchiveError,
    archive_lines,
    archive_place,
    open_archive,
    stream_sha256,
)
from lumeire.audit.chain import (
    CHAIN_COLUMNS,
    ENTRY_HASH,
    GENESIS_HASH,
    ID,
    ChainBreak,
    ChainWalker,
    row_of_archive_line,
)
from lumeire.audit.checkpoints import CheckpointKeys, keys_for
from lumeire.audit.keys import CHAIN, key_ring
from lumeire.audit.models import AuditCheckpoint, AuditHead
from lumeire.audit.protection import TABLE, is_protected
from lumeire.audit.signing import signature_holds


@dataclass(frozen=True)
class ChainOutcome:
    count: int  # entries verified: archived and live
    head: str
    broken_at: int | None = None
    why: str = ""
    protected: bool = True
    archived: int = 0
    checkpoints: int = 0
    broken_kind: str = "entry"  # or "checkpoint": what broken_at numbers
    last_id: int = 0  # the id of the entry whose hash is ``head`` (0: the genesis)

    def summary(self) -> str:
        """The line ``audit_verify`` prints."""
        if self.broken_at is not None:
            return f"BROKEN at {self.broken_kind} {self.broken_at}: {self.why}"
        sealed = f" ({self.archived} in {self.checkpoints} checkpoints)" if self.checkpoints else ""
        return f"OK {self.count} entries{sealed}, head {self.head}"


class _Broken(Exception):
    pass


def _check_checkpoint(
    checkpoint: AuditCheckpoint, sequence: int, previous_id: int, previous_hash: str
) -> CheckpointKeys:
    """The keys the checkpoint was made with, once its signature and its place hold."""
    if checkpoint.sequence != sequence:
        raise _Broken(f"checkpoint {sequence} is missing (checkpoints must follow on)")
    keys = keys_for(checkpoint.key_id)
    if keys is None:
        raise _Broken(
            f"it is signed with key {checkpoint.key_id}, which no configured master key gives: "
            "put the master key it was made under in LUMEIRE_MASTER_KEYS_RETIRED"
        )
    if not signature_holds(checkpoint.signed_columns(), checkpoint.signature, keys.signing):
        raise _Broken("its signature does not match its contents")
    if checkpoint.first_id != previous_id + 1:
        after = "entry 1" if previous_id == 0 else f"entry {previous_id + 1}"
        raise _Broken(f"it starts at entry {checkpoint.first_id}, not at {after}")
    if checkpoint.start_hash != previous_hash:
        before = "the chain's start" if previous_id == 0 else f"entry {previous_id}"
        raise _Broken(f"its start hash does not match {before}")
    if checkpoint.entry_count != checkpoint.last_id - checkpoint.first_id + 1:
        raise _Broken("its entry count does not match its range")
    return keys


def _archived_rows(handle: BinaryIO, checkpoint: AuditCheckpoint, keys: CheckpointKeys):
    for number, line in enumerate(
        archive_lines(handle, sequence=checkpoint.sequence, key=keys.archive), start=1
    ):
        try:
            yield row_of_archive_line(line)
        except (ValueError, TypeError, KeyError, AttributeError):
            raise _Broken(f"line {number} of its archive is not an audit entry") from None


def _opened(name: str) -> BinaryIO:
    try:
        return open_archive(name)
    except FileNotFoundError:
        raise _Broken(f"its archive file {name} is missing from {archive_place()}") from None
    except OSError as error:
        raise _Broken(f"its archive file {name} cannot be read ({error})") from None


def _check_archive(checkpoint: AuditCheckpoint, keys: CheckpointKeys, walker: ChainWalker) -> None:
    """Open the archive file and recompute every entry, link and the range digest; ``walker``
    goes on from the previous checkpoint's last archived entry.

    The file is read twice, as a stream each time (its SHA-256 first, then its entries), so an
    archive of any size verifies in flat memory, from a folder or from the bucket alike.
    """
    name = checkpoint.archive_name
    if not name or "\\" in name or PurePosixPath(name).name != name or name in (".", ".."):
        raise _Broken("its archive name is not a plain file name")
    try:
        stored_sha256 = stream_sha256(_opened(name))
    except OSError as error:
        raise _Broken(f"its archive file {name} cannot be read ({error})") from None
    if stored_sha256 != checkpoint.archive_sha256:
        raise _Broken(f"its archive file {name} does not match its SHA-256 (altered or replaced)")
    digest = hashlib.sha256()
    try:
        for row in _archived_rows(_opened(name), checkpoint, keys):
            if row[ID] > checkpoint.last_id:
                raise _Broken(f"its archive holds entry {row[ID]} beyond its range")
            try:
                walker.step(row)
            except ChainBreak as broken:
                raise _Broken(f"archived entry {broken.entry_id}: {broken.why}") from None
            digest.update(str(row[ENTRY_HASH]).encode("utf-8"))
    except ArchiveError as error:
        raise _Broken(f"its archive file {name}: {error}") from None
    except OSError as error:
        raise _Broken(f"its archive file {name} cannot be read ({error})") from None
    if walker.last_id != checkpoint.last_id:
        raise _Broken(f"its archive ends at entry {walker.last_id}, not {checkpoint.last_id}")
    if walker.last_hash != checkpoint.last_hash:
        raise _Broken("its archive's last hash does not match the checkpoint")
    if digest.hexdigest() != checkpoint.range_digest:
        raise _Broken("its archive does not match the checkpoint's range digest")


# What each database hands over cheapest: text already in (or near) its canonical spelling, so
# no driver builds a datetime or a UUID object only for it to be written out again.
_POSTGRESQL_SELECT = {
    "at": """to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')""",
    "actor_id": "actor_id::text",
    "subject_id": "subject_id::text",
    "fields": "fields::text",
}
_SQLITE_SELECT = {"at": "CAST(at AS TEXT)"}  # the stored text, not the driver's datetime


def _live_rows_sql(vendor: str) -> str:
    spelled = _POSTGRESQL_SELECT if vendor == "postgresql" else _SQLITE_SELECT
    columns = ", ".join(spelled.get(name, name) for name in CHAIN_COLUMNS)
    return f"SELECT {columns} FROM {TABLE} WHERE id > %s ORDER BY id LIMIT %s"  # noqa: S608 - constant names


def live_rows(after_id: int, chunk_size: int) -> Iterator[tuple]:
    """Live entries after ``after_id`` in id order (``CHAIN_COLUMNS``, values as the database
    spells them), one chunk at a time by id, so memory stays flat whatever the size. A cursor and
    not the ORM: the walker reads the stored spelling directly, at a fraction of the cost."""
    sql = _live_rows_sql(connection.vendor)
    while True:
        with connection.cursor() as cursor:
            cursor.execute(sql, [after_id, chunk_size])
            rows = cursor.fetchall()
        yield from rows
        if len(rows) < chunk_size:
            return
        after_id = rows[-1][ID]


def walk_live(
    walker: ChainWalker, rows: Iterable[tuple], *, sealed_up_to: int, sealed_by: int
) -> None:
    """Step ``walker`` through live rows to the end of the log; ChainBreak at the first break."""
    for row in rows:
        if row[ID] <= sealed_up_to:
            raise ChainBreak(
                row[ID], f"it is still in the live log although checkpoint {sealed_by} sealed it"
            )
        walker.step(row)
    walker.finish()


def head_recorded() -> int:
    """The last entry id the head row records (0 without one). Read it before walking, so an
    entry appended meanwhile does not look cut off. A hint only: anyone with database access can
    edit the head; the signed anchors prove what the log held."""
    return AuditHead.objects.filter(pk=1).values_list("last_id", flat=True).first() or 0


def verify_chain(*, chunk_size: int = 5000, archives: bool = False) -> ChainOutcome:
    """Check every checkpoint and every live entry; the first break found is the outcome."""
    chain_keys = key_ring(CHAIN)
    recorded = head_recorded()
    walker = ChainWalker(chain_keys)
    previous_id = 0
    previous_hash = GENESIS_HASH
    archived = 0
    sealed = 0
    for checkpoint in AuditCheckpoint.objects.order_by("sequence").iterator(chunk_size=100):
        try:
            checkpoint_keys = _check_checkpoint(checkpoint, sealed + 1, previous_id, previous_hash)
            if archives:
                _check_archive(checkpoint, checkpoint_keys, walker)
        except _Broken as broken:
            return ChainOutcome(
                archived,
                previous_hash,
                checkpoint.sequence,
                str(broken),
                archived=archived,
                checkpoints=sealed,
                broken_kind="checkpoint",
                last_id=previous_id,
            )
        previous_id = checkpoint.last_id
        previous_hash = checkpoint.last_hash
        archived += checkpoint.entry_count
        sealed += 1
        if not archives:
            # The signature vouches for the range; whether it ended keyed is not known here.
            walker = ChainWalker(chain_keys, last_id=previous_id, last_hash=previous_hash)

    try:
        walk_live(
            walker,
            live_rows(0, chunk_size),  # all of them: a sealed entry put back is a break
            sealed_up_to=previous_id,
            sealed_by=sealed,
        )
    except ChainBreak as broken:
        return ChainOutcome(
            archived + walker.last_id - previous_id,
            walker.last_hash,
            broken.entry_id,
            broken.why,
            archived=archived,
            checkpoints=sealed,
            last_id=walker.last_id,
        )
    live = walker.last_id - previous_id
    count = archived + live
    if recorded > walker.last_id:
        return ChainOutcome(
            count,
            walker.last_hash,
            walker.last_id + 1,
            f"the log ends at entry {walker.last_id} but its head records entry {recorded}",
            archived=archived,
            checkpoints=sealed,
            last_id=walker.last_id,
        )
    return ChainOutcome(
        count,
        walker.last_hash,
        archived=archived,
        checkpoints=sealed,
        protected=is_protected(connection),
        last_id=walker.last_id,
    )
