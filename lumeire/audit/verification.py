"""Walk the audit log in order and find the first checkpoint or entry that does not hold.

Checkpoints come first, in sequence: each must carry a valid signature by a configured key and
start where the previous one ended (ids and hashes; the first at entry 1 and the genesis hash).
The live chain then continues from the newest checkpoint's last entry. With ``archives=True``
each checkpoint's archive file is opened too and every entry in it recomputed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from django.db import connection

from lumeire.audit.archive import ArchiveError, archive_dir, archive_lines, file_sha256
from lumeire.audit.chain import GENESIS_HASH, HASHED_COLUMNS, entry_hash, row_of_archive_line
from lumeire.audit.checkpoints import CheckpointKeys, keys_for
from lumeire.audit.models import AuditCheckpoint, AuditEntry, AuditHead
from lumeire.audit.protection import is_protected
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


def _check_archive(checkpoint: AuditCheckpoint, keys: CheckpointKeys) -> None:
    """Open the archive file and recompute every entry, link and the range digest."""
    name = checkpoint.archive_name
    if not name or Path(name).name != name or name in (".", ".."):
        raise _Broken("its archive name is not a plain file name")
    path = archive_dir() / name
    if not path.is_file():
        raise _Broken(f"its archive file {name} is missing from LUMEIRE_AUDIT_ARCHIVE_DIR")
    if file_sha256(path) != checkpoint.archive_sha256:
        raise _Broken(f"its archive file {name} does not match its SHA-256 (altered or replaced)")
    expected_id = checkpoint.first_id
    previous_hash = checkpoint.start_hash
    digest = hashlib.sha256()
    try:
        for number, line in enumerate(
            archive_lines(path, sequence=checkpoint.sequence, key=keys.archive), start=1
        ):
            try:
                row = row_of_archive_line(line)
                recomputed = entry_hash(row[:14])
            except (ValueError, TypeError, KeyError, AttributeError):
                raise _Broken(f"line {number} of its archive is not an audit entry") from None
            if row[0] != expected_id:
                raise _Broken(f"its archive holds entry {row[0]} where entry {expected_id} belongs")
            if row[13] != previous_hash:
                raise _Broken(f"archived entry {row[0]}: its previous hash does not match")
            if recomputed != row[14]:
                raise _Broken(f"archived entry {row[0]}: its hash does not match its contents")
            digest.update(str(row[14]).encode("utf-8"))
            previous_hash = row[14]
            expected_id += 1
    except ArchiveError as error:
        raise _Broken(f"its archive file {name}: {error}") from None
    if expected_id != checkpoint.last_id + 1:
        raise _Broken(f"its archive ends at entry {expected_id - 1}, not {checkpoint.last_id}")
    if previous_hash != checkpoint.last_hash:
        raise _Broken("its archive's last hash does not match the checkpoint")
    if digest.hexdigest() != checkpoint.range_digest:
        raise _Broken("its archive does not match the checkpoint's range digest")


def verify_chain(*, chunk_size: int = 5000, archives: bool = False) -> ChainOutcome:
    """Stream the rows (a server-side cursor on PostgreSQL) so memory stays flat at any size."""
    previous_id = 0
    previous_hash = GENESIS_HASH
    archived = 0
    sealed = 0
    for checkpoint in AuditCheckpoint.objects.order_by("sequence").iterator(chunk_size=100):
        try:
            keys = _check_checkpoint(checkpoint, sealed + 1, previous_id, previous_hash)
            if archives:
                _check_archive(checkpoint, keys)
        except _Broken as broken:
            return ChainOutcome(
                archived,
                previous_hash,
                checkpoint.sequence,
                str(broken),
                archived=archived,
                checkpoints=sealed,
                broken_kind="checkpoint",
            )
        previous_id = checkpoint.last_id
        previous_hash = checkpoint.last_hash
        archived += checkpoint.entry_count
        sealed += 1

    def outcome(count: int, head: str, at: int | None = None, why: str = "", **more):
        return ChainOutcome(count, head, at, why, archived=archived, checkpoints=sealed, **more)

    sealed_up_to = previous_id
    rows = (
        AuditEntry.objects.order_by("id")
        .values_list(*HASHED_COLUMNS, "entry_hash")
        .iterator(chunk_size=chunk_size)
    )
    count = archived
    for row in rows:
        entry_id = row[0]
        if entry_id <= sealed_up_to:
            return outcome(
                count,
                previous_hash,
                entry_id,
                f"it is still in the live log although checkpoint {sealed} sealed it",
            )
        if entry_id != previous_id + 1:
            missing = "the first entry" if previous_id == 0 else f"entry {previous_id + 1}"
            return outcome(
                count, previous_hash, entry_id, f"{missing} is missing (ids must follow on)"
            )
        if row[13] != previous_hash:
            before = "the chain's start" if previous_id == 0 else f"entry {previous_id}"
            return outcome(
                count, previous_hash, entry_id, f"its previous hash does not match {before}"
            )
        if entry_hash(row[:14]) != row[14]:
            return outcome(count, previous_hash, entry_id, "its hash does not match its contents")
        previous_id = entry_id
        previous_hash = row[14]
        count += 1
    head = AuditHead.objects.filter(pk=1).values_list("last_id", "last_hash").first()
    if head is not None and head != (previous_id, previous_hash) and head[0] > previous_id:
        return outcome(
            count,
            previous_hash,
            previous_id + 1,
            f"the log ends at entry {previous_id} but its head records entry {head[0]}",
        )
    return outcome(count, previous_hash, protected=is_protected(connection))
