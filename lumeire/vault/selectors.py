"""Reads of the keystore: unwrapped data keys for decryption, and what rotation still has to do."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.db.models import QuerySet

from lumeire.vault.errors import VaultIntegrityError
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
        if row.wrapped_key is None:
            return SHREDDED
        key = _unwrap(row)
        cached_subject = row.subject_id
        data_key_cache.put(row.id.bytes, row.subject_id, key)
    if cached_subject != subject_id:
        raise VaultIntegrityError("A stored value was sealed with another subject's data key.")
    return key


def warm_data_keys(subject_ids: Iterable[uuid.UUID]) -> int:
    """Unwrap the data keys of many subjects in one query, so a list page decrypts without N+1."""
    rows = DataKey.objects.filter(subject_id__in=set(subject_ids), wrapped_key__isnull=False)
    count = 0
    for row in rows:
        data_key_cache.put(row.id.bytes, row.subject_id, _unwrap(row))
        count += 1
    return count


def data_keys_to_rotate() -> QuerySet[DataKey]:
    """Live data keys not yet wrapped by the current master key."""
    current = get_keyring().current.key_id
    return DataKey.objects.filter(wrapped_key__isnull=False).exclude(master_key_id=current)
