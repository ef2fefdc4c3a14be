"""The audit log's keys for its chain and its anchors: derived from the master keys, never stored.

The chain key computes every entry's HMAC, the anchor key signs the heads kept outside the
database (``anchors.py``); checkpoints and archives have their own (``checkpoints.py``). Each is
derived with HKDF from ``LUMEIRE_MASTER_KEY`` under its own info (``signing.py``), so whoever
holds only the database cannot recompute a hash or sign a head. New writes use the current
master key; verification also tries every ``LUMEIRE_MASTER_KEYS_RETIRED``, and finds the right
key by the key id recorded beside what it signed, so a rotation leaves old entries verifiable
for as long as the retired master key stays configured.
"""

from __future__ import annotations

import functools
from typing import NamedTuple

from django.conf import settings

from lumeire.audit.signing import ANCHOR_INFO, CHAIN_INFO, derive_key, key_id_of


class KeyUse(NamedTuple):
    info: bytes
    id_prefix: str


class AuditKey(NamedTuple):
    key_id: str
    secret: bytes


CHAIN = KeyUse(CHAIN_INFO, "ac-")
ANCHOR = KeyUse(ANCHOR_INFO, "an-")


def retired_masters() -> list[str]:
    """The retired master keys, in the order configured (a list or comma-separated text)."""
    retired = getattr(settings, "LUMEIRE_MASTER_KEYS_RETIRED", ()) or ()
    if isinstance(retired, str):
        retired = retired.split(",")
    return [text.strip() for text in retired if text and text.strip()]


@functools.lru_cache(maxsize=32)
def _derived(master: str, use: KeyUse, setting_name: str) -> AuditKey:
    # HKDF per append would cost more than the HMAC itself; the result depends on nothing else.
    secret = derive_key(master, use.info, setting_name)
    return AuditKey(key_id_of(secret, use.id_prefix), secret)


def current_key(use: KeyUse) -> AuditKey:
    """The key new entries (or anchors) are made with, from ``LUMEIRE_MASTER_KEY``."""
    return _derived(settings.LUMEIRE_MASTER_KEY, use, "LUMEIRE_MASTER_KEY")


def key_ring(use: KeyUse) -> dict[str, bytes]:
    """Every configured key for ``use`` by key id: the current one and each retired one."""
    ring = {}
    for master, name in [
        (settings.LUMEIRE_MASTER_KEY, "LUMEIRE_MASTER_KEY"),
        *((master, "LUMEIRE_MASTER_KEYS_RETIRED") for master in retired_masters()),
    ]:
        key = _derived(master, use, name)
        ring.setdefault(key.key_id, key.secret)
    return ring
