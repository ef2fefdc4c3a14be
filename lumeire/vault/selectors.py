"""Reads of the keystore: unwrapped data keys for decryption, and what rotation still has to do."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.db import DatabaseError
from django.db.models import QuerySet

from lumeire.vault.errors import VaultIntegrityError
from lumeire.vault.journal import JournalReading, current_journal
from lumeire.vault.keycache import data_key_cache
from lumeire.vault.keyring import get_keyring, unwrap_data_key
from lumeire.vault.models import DataKey


class Shredded:
    """Marker returned for a data key that was destroyed."""


SHREDDED = Shredded()


def _unwrap(row: DataKey) -> bytes:
    master = get_keyring().by_id(row.master_key_id)
    return unwrap_data_key(bytes(row.wrapped_key), row.subject_id, master)


def data_key_for_reading(key_id: bytes, subject_id: uuid.UUID) -> bytes | Shredded:
    """Return the clear data key ``key_id`` of ``subject_id``, or SHREDDED when it was destroyed."""
    cached = data_key_cache.get(key_id)
    if cached is not None:
        cached_subject, key = cached
    else:
        row = DataKey.objects.filter(id=uuid.UUID(bytes=key_id)).first()
        if row is None:
            raise VaultIntegrityError("A stored value names a data key that does not exist.")
        if row.wrapped_key is None or row.subject_id in current_journal().subject_ids:
            # A restored database may hold a key the journal says was destroyed: it stays
            # destroyed, whether or not erasure_replay has run yet.
            return SHREDDED
        key = _unwrap(row)
        cached_subject = row.subject_id
        data_key_cache.put(row.id.bytes, row.subject_id, key)
    if cached_subject != subject_id:
        raise VaultIntegrityError("A stored value was sealed with another subject's data key.")
    return key


def warm_data_keys(subject_ids: Iterable[uuid.UUID]) -> int:
    """Unwrap the data keys of many subjects in one query, so a list page decrypts without N+1."""
    erased = current_journal().subject_ids
    rows = DataKey.objects.filter(
        subject_id__in=set(subject_ids) - erased, wrapped_key__isnull=False
    )
    count = 0
    for row in rows:
        data_key_cache.put(row.id.bytes, row.subject_id, _unwrap(row))
        count += 1
    return count


def data_keys_to_rotate() -> QuerySet[DataKey]:
    """Live data keys not yet wrapped by the current master key."""
    current = get_keyring().current.key_id
    return DataKey.objects.filter(wrapped_key__isnull=False).exclude(master_key_id=current)


# Subjects per query when matching the journal against the key table.
_CHUNK = 500


def journaled_keys_held(reading: JournalReading | None = None) -> list[DataKey]:
    """Keys the erasure journal lists as destroyed that the database still holds (a restore)."""
    subjects = sorted((reading or current_journal()).subject_ids)
    held: list[DataKey] = []
    for start in range(0, len(subjects), _CHUNK):
        held += DataKey.objects.filter(
            subject_id__in=subjects[start : start + _CHUNK], wrapped_key__isnull=False
        ).only("id", "subject_id")
    return held


def tombstones_missing_from_journal(reading: JournalReading | None = None) -> list[DataKey]:
    """Destroyed keys the journal does not list: the journal was lost, rolled back to an older
    copy, or predates them."""
    listed = (reading or current_journal()).subject_ids
    tombstones = DataKey.objects.filter(wrapped_key__isnull=True).only("id", "subject_id")
    return [row for row in tombstones.iterator(chunk_size=2000) if row.subject_id not in listed]


def erasure_blockers(*, settle_seconds: float = 0) -> list[str]:
    """Why the store must not serve yet: a tampered journal, or journaled keys still held.

    Lines younger than ``settle_seconds`` are left out: their erasure may still be committing
    in another process. Empty when all is well, and before ``migrate`` made the key table.
    """
    reading = current_journal().settled(settle_seconds)
    blockers = [f"erasure journal: {problem}" for problem in reading.problems]
    if reading.records:
        try:
            held = journaled_keys_held(reading)
        except DatabaseError:
            return blockers
        if held:
            blockers.append(
                f"{len(held)} data keys the erasure journal lists as destroyed are in the database"
            )
    return blockers
