"""A short-lived, in-process cache of unwrapped data keys.

Listing a page of customers would otherwise unwrap one key per row per request. Entries live
``LUMEIRE_VAULT_KEY_CACHE_SECONDS`` at most, so a shred in another process takes effect here
within that time; a shred in this process evicts at once.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import OrderedDict

from django.conf import settings

_MAX_ENTRIES = 10_000


class _DataKeyCache:
    def __init__(self) -> None:
        # Keyed by the data key id's 16 bytes, as stored in every ciphertext header.
        self._entries: OrderedDict[bytes, tuple[float, uuid.UUID, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key_id: bytes) -> tuple[uuid.UUID, bytes] | None:
        """Return ``(subject_id, key)`` for a data key id, or None when absent or stale."""
        with self._lock:
            entry = self._entries.get(key_id)
            if entry is None:
                return None
            expires_at, subject_id, key = entry
            if expires_at < time.monotonic():
                del self._entries[key_id]
                return None
            self._entries.move_to_end(key_id)
            return subject_id, key

    def put(self, key_id: bytes, subject_id: uuid.UUID, key: bytes) -> None:
        ttl = settings.LUMEIRE_VAULT_KEY_CACHE_SECONDS
        if ttl <= 0:
            return
        with self._lock:
            self._entries[key_id] = (time.monotonic() + ttl, subject_id, key)
            self._entries.move_to_end(key_id)
            while len(self._entries) > _MAX_ENTRIES:
                self._entries.popitem(last=False)

    def forget_subject(self, subject_id: uuid.UUID) -> None:
        with self._lock:
            for key_id in [k for k, v in self._entries.items() if v[1] == subject_id]:
                del self._entries[key_id]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


data_key_cache = _DataKeyCache()
