"""Sealing one value with a data key, bound to the place it is stored.

Stored layout: ``version (1 byte) | data key id (16 bytes) | nonce (12 bytes) | ciphertext+tag``.
The associated data names the table, the column and the row's primary key, so a ciphertext
copied into another row or column fails authentication.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from lumeire.vault.errors import VaultIntegrityError
from lumeire.vault.keyring import NONCE_BYTES

VALUE_FORMAT_VERSION = 1
_HEADER_BYTES = 1 + 16 + NONCE_BYTES
_TAG_BYTES = 16


@dataclass(frozen=True)
class Place:
    """Where a value lives: the associated data every ciphertext is bound to."""

    table: str
    column: str
    row_pk: str

    def associated_data(self) -> bytes:
        return f"lumeire value v1|{self.table}|{self.column}|{self.row_pk}".encode()


def seal(plaintext: bytes, *, data_key: bytes, data_key_id: uuid.UUID, place: Place) -> bytes:
    """Encrypt ``plaintext`` for ``place`` with AES-256-GCM and a fresh random nonce."""
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(data_key).encrypt(nonce, plaintext, place.associated_data())
    return bytes([VALUE_FORMAT_VERSION]) + data_key_id.bytes + nonce + sealed


def _check_layout(blob: bytes) -> None:
    if len(blob) < _HEADER_BYTES + _TAG_BYTES or blob[0] != VALUE_FORMAT_VERSION:
        raise VaultIntegrityError("A stored value has an unknown format or was truncated.")


def data_key_id_of(blob: bytes) -> bytes:
    """Read the 16-byte id of the data key that sealed ``blob`` (a UUID's bytes)."""
    _check_layout(blob)
    return blob[1:17]


def open_sealed(blob: bytes, *, data_key: bytes, place: Place) -> bytes:
    """Decrypt ``blob`` stored at ``place``; an altered or moved value raises an integrity error."""
    _check_layout(blob)
    nonce, sealed = blob[17:_HEADER_BYTES], blob[_HEADER_BYTES:]
    try:
        return AESGCM(data_key).decrypt(nonce, sealed, place.associated_data())
    except InvalidTag:
        raise VaultIntegrityError(
            f"The value in {place.table}.{place.column} failed authentication: "
            "it was altered, or copied from another row or column."
        ) from None
