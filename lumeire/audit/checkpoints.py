"""Old audit entries move into a signed checkpoint and an archive file instead of being deleted.

``audit_checkpoint`` takes the entries that follow the newest checkpoint and are older than a
moment, checks that they chain, writes them to a sealed archive file (see ``archive.py``),
records a checkpoint signed with a key derived from the master key (see ``signing.py``) and
deletes them from the live table; the database lets it delete only entries a checkpoint covers.
``audit_verify`` then checks the checkpoints' signatures and continues the live chain from the
newest checkpoint's last hash, and with ``--archives`` recomputes the archived entries too.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import NamedTuple

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from lumeire.audit.archive import ArchiveWriter, archive_delete, archive_name_of
from lumeire.audit.audit_actions import AuditLogAction
from lumeire.audit.chain import (
    CHAIN_COLUMNS,
    ENTRY_HASH,
    GENESIS_HASH,
    ChainBreak,
    ChainWalker,
    archive_line,
)
from lumeire.audit.errors import AuditChainBrokenError
from lumeire.audit.keys import CHAIN, key_ring, retired_masters
from lumeire.audit.models import AuditCheckpoint, AuditEntry
from lumeire.audit.protection import TABLE
from lumeire.audit.services import _locked_head, audit_record
from lumeire.audit.signing import (
    ARCHIVE_INFO,
    CHECKPOINT_INFO,
    derive_key,
    key_id_of,
    sign,
)


class CheckpointKeys(NamedTuple):
    key_id: str
    signing: bytes
    archive: bytes


def _keys_of(master: str, setting_name: str) -> CheckpointKeys:
    signing = derive_key(master, CHECKPOINT_INFO, setting_name)
    return CheckpointKeys(
        key_id_of(signing), signing, derive_key(master, ARCHIVE_INFO, setting_name)
    )


def current_keys() -> CheckpointKeys:
    """The keys new checkpoints are signed and sealed with: from ``LUMEIRE_MASTER_KEY``."""
    return _keys_of(settings.LUMEIRE_MASTER_KEY, "LUMEIRE_MASTER_KEY")


def keys_for(key_id: str) -> CheckpointKeys | None:
    """The keys a checkpoint was made with, from the current or a retired master key; None when
    none of the configured master keys gives that ``key_id``."""
    current = current_keys()
    if current.key_id == key_id:
        return current
    for master in retired_masters():
        keys = _keys_of(master, "LUMEIRE_MASTER_KEYS_RETIRED")
        if keys.key_id == key_id:
            return keys
    return None


def _sealable_up_to(first_id: int, before: datetime, max_entries: int | None) -> int:
    """The last id of the run that may be sealed: older than ``before``, never the head.

    The newest entry that is not a checkpoint's own record stays live, so a second call with the
    same ``before`` finds nothing although the first one appended its record. The run stops
    before the first entry that is not old enough, even if a later one is (a clock set back).
    """
    kept = (
        AuditEntry.objects.exclude(action=AuditLogAction.AUDIT_CHECKPOINT)
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    )
    if kept is None:
        return 0
    last_id = kept - 1
    young = (
        AuditEntry.objects.filter(id__gte=first_id, at__gte=before)
        .order_by("id")
        .values_list("id", flat=True)
        .first()
    )
    if young is not None:
        last_id = min(last_id, young - 1)
    if max_entries is not None:
        last_id = min(last_id, first_id + max_entries - 1)
    return last_id


def _rows_from(first_id: int, last_id: int | None, chunk_size: int):
    """Entries first_id..last_id (to the end when None) in id order, ``chunk_size`` at a time."""
    next_id = first_id
    while last_id is None or next_id <= last_id:
        entries = AuditEntry.objects.filter(id__gte=next_id)
        if last_id is not None:
            entries = entries.filter(id__lte=last_id)
        rows = list(entries.order_by("id").values_list(*CHAIN_COLUMNS)[:chunk_size])
        if not rows:
            return
        yield from rows
        next_id = rows[-1][0] + 1


def _seal_range(
    writer: ArchiveWriter, first_id: int, last_id: int, start_hash: str, chunk_size: int
) -> tuple[str, str, int]:
    """Write entries first_id..last_id to the archive, checking every hash and link on the way
    (sealing a broken run would hide the break); return the last hash, range digest, count.

    Plain (legacy) entries are sealed only when the keyed seal that follows them holds, even
    if it stays live: a signed checkpoint must never vouch for entries stripped of their HMAC.
    """
    walker = ChainWalker(key_ring(CHAIN), last_id=first_id - 1, last_hash=start_hash)
    digest = hashlib.sha256()  # the range digest: SHA-256 of the entry hashes' hex, in id order
    try:
        for row in _rows_from(first_id, last_id, chunk_size):
            walker.step(row)
            writer.add(archive_line(row))
            digest.update(row[ENTRY_HASH].encode("ascii"))
        if walker.last_id != last_id:
            raise ChainBreak(walker.last_id + 1, "it is missing")
        last_hash = walker.last_hash
        if not walker.sealed:
            for row in _rows_from(last_id + 1, None, chunk_size):
                walker.step(row)
                if walker.sealed:
                    break
            walker.finish()
    except ChainBreak as broken:
        raise AuditChainBrokenError(
            f"entry {broken.entry_id} does not chain: {broken.why}"
        ) from None
    return last_hash, digest.hexdigest(), last_id - first_id + 1


def _delete_sealed(first_id: int, last_id: int, count: int) -> None:
    # Raw SQL: the ORM refuses every delete of the log; the trigger allows these rows only
    # because the checkpoint covering them is already inserted in this transaction.
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {TABLE} WHERE id >= %s AND id <= %s",  # noqa: S608 - a constant table
            [first_id, last_id],
        )
        if cursor.rowcount != count:
            raise AuditChainBrokenError("the sealed entries changed while they were archived")


def audit_checkpoint(
    *, before: datetime, chunk_size: int = 5000, max_entries: int | None = None
) -> AuditCheckpoint | None:
    """Seal the entries after the newest checkpoint and older than ``before`` into a new
    checkpoint and its archive, then delete them from the live table; None when none is old
    enough. A second call with the same ``before`` does nothing.

    Appends wait meanwhile (the head row is locked); ``max_entries`` bounds one checkpoint so the
    wait stays short. Call it outside any transaction: if the caller's transaction rolled back
    after this returned, the archive file would stay behind, unreferenced.
    """
    keys = current_keys()  # a missing or malformed key stops here, before anything is locked
    written = None
    try:
        with transaction.atomic():
            _locked_head()
            newest = AuditCheckpoint.objects.order_by("-sequence").first()
            first_id = newest.last_id + 1 if newest else 1
            start_hash = newest.last_hash if newest else GENESIS_HASH
            last_id = _sealable_up_to(first_id, before, max_entries)
            if last_id < first_id:
                return None
            sequence = newest.sequence + 1 if newest else 1
            name = archive_name_of(sequence)
            writer = ArchiveWriter(name, sequence=sequence, key=keys.archive)
            try:
                last_hash, digest, count = _seal_range(
                    writer, first_id, last_id, start_hash, chunk_size
                )
                archive_sha256 = writer.finish()
            except BaseException:
                writer.discard()
                raise
            written = name
            checkpoint = AuditCheckpoint(
                sequence=sequence,
                created_at=timezone.now(),
                first_id=first_id,
                last_id=last_id,
                entry_count=count,
                start_hash=start_hash,
                last_hash=last_hash,
                range_digest=digest,
                archive_name=name,
                archive_sha256=archive_sha256,
                key_id=keys.key_id,
            )
            checkpoint.signature = sign(checkpoint.signed_columns(), keys.signing)
            checkpoint.save(force_insert=True)
            _delete_sealed(first_id, last_id, count)
            audit_record(
                actor=None,
                action=AuditLogAction.AUDIT_CHECKPOINT,
                target_type="audit.auditcheckpoint",
                target_id=str(sequence),
                reason=f"entries {first_id} to {last_id}",
            )
    except BaseException:
        # The checkpoint did not commit: its file must not pass for an archive of anything.
        if written is not None:
            archive_delete(written)
        raise
    return checkpoint
