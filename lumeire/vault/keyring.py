"""Master keys, from the environment only, and wrapping of per-subject data keys.

The first master key in the keyring wraps new data keys; retired ones still unwrap until
``manage.py vault_rotate`` has re-wrapped everything, after which they can be removed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import uuid
from dataclasses import dataclass
from functools import cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

from lumeire.vault.errors import (
    UnknownMasterKeyError,
    VaultConfigurationError,
    VaultIntegrityError,
)

KEY_BYTES = 32  # AES-256
NONCE_BYTES = 12  # the GCM standard nonce
WRAP_FORMAT_VERSION = 1


@dataclass(frozen=True)
class MasterKey:
    """One master key and the id stored beside everything it wraps."""

    key_id: str
    secret: bytes

    def __repr__(self) -> str:  # never print the secret
        return f"MasterKey(key_id={self.key_id!r})"


def _decode_key(encoded: str, setting_name: str) -> bytes:
    try:
        raw = base64.b64decode(encoded.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise VaultConfigurationError(f"{setting_name} must be base64 text.") from None
    if len(raw) != KEY_BYTES:
        raise VaultConfigurationError(
            f"{setting_name} must decode to {KEY_BYTES} bytes, not {len(raw)}."
        )
    return raw


def master_key_from_text(encoded: str, setting_name: str = "LUMEIRE_MASTER_KEY") -> MasterKey:
    """Build a master key from base64 text; its id is a fingerprint, so it needs no bookkeeping."""
    secret = _decode_key(encoded, setting_name)
    fingerprint = hashlib.sha256(b"lumeire master key id|" + secret).hexdigest()[:16]
    return MasterKey(key_id=f"mk-{fingerprint}", secret=secret)


@dataclass(frozen=True)
class Keyring:
    """The master keys in force: ``current`` wraps, every key unwraps."""

    current: MasterKey
    retired: tuple[MasterKey, ...] = ()

    def by_id(self, key_id: str) -> MasterKey:
        """Return the master key with ``key_id``, or fail saying it is not configured."""
        for key in (self.current, *self.retired):
            if key.key_id == key_id:
                return key
        raise UnknownMasterKeyError(
            f"Master key {key_id} is not configured. Add it to LUMEIRE_MASTER_KEYS_RETIRED "
            "until `manage.py vault_rotate` has re-wrapped every data key."
        )

    @property
    def key_ids(self) -> tuple[str, ...]:
        return tuple(key.key_id for key in (self.current, *self.retired))


@cache
def _keyring_from(current: str, retired: tuple[str, ...]) -> Keyring:
    return Keyring(
        current=master_key_from_text(current, "LUMEIRE_MASTER_KEY"),
        retired=tuple(
            master_key_from_text(text, "LUMEIRE_MASTER_KEYS_RETIRED") for text in retired
        ),
    )


def get_keyring() -> Keyring:
    """Return the keyring of the running configuration (read fresh, so tests may override it)."""
    return _keyring_from(settings.LUMEIRE_MASTER_KEY, tuple(settings.LUMEIRE_MASTER_KEYS_RETIRED))


def _wrap_aad(subject_id: uuid.UUID, key_id: str) -> bytes:
    # Binds a wrapped key to its subject: a wrapped key copied to another subject will not open.
    return b"lumeire data key|" + subject_id.bytes + b"|" + key_id.encode("ascii")


def new_data_key() -> bytes:
    """Return a fresh random 256-bit data key."""
    return os.urandom(KEY_BYTES)


def wrap_data_key(data_key: bytes, subject_id: uuid.UUID, master: MasterKey) -> bytes:
    """Encrypt a data key under a master key: ``version | nonce | ciphertext+tag``."""
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(master.secret).encrypt(nonce, data_key, _wrap_aad(subject_id, master.key_id))
    return bytes([WRAP_FORMAT_VERSION]) + nonce + sealed


def unwrap_data_key(wrapped: bytes, subject_id: uuid.UUID, master: MasterKey) -> bytes:
    """Decrypt a wrapped data key, failing clearly when it was altered or belongs elsewhere."""
    if len(wrapped) < 1 + NONCE_BYTES + 16 or wrapped[0] != WRAP_FORMAT_VERSION:
        raise VaultIntegrityError("A wrapped data key has an unknown format.")
    nonce, sealed = wrapped[1 : 1 + NONCE_BYTES], wrapped[1 + NONCE_BYTES :]
    try:
        return AESGCM(master.secret).decrypt(nonce, sealed, _wrap_aad(subject_id, master.key_id))
    except InvalidTag:
        raise VaultIntegrityError(
            "A wrapped data key failed authentication: it was altered or copied."
        ) from None
