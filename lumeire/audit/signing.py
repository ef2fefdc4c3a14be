"""Keys, signatures and sealing for audit checkpoints: small pure functions, no settings read.

Keys are derived from a master key with HKDF-SHA256, one per use, so the master key itself
never signs or encrypts anything here and a leaked derived key reveals nothing of the vault:
``b"lumeire audit checkpoint"`` signs checkpoints (HMAC-SHA256), ``b"lumeire audit archive"``
seals archive files (AES-256-GCM), ``b"lumeire audit chain"`` keys each entry's HMAC and
``b"lumeire audit anchor"`` signs the heads kept outside the database (see ``keys.py``). Whatever
is signed names its key by a key id, a digest of the derived key, so verification finds the
right one among the current and retired masters.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from collections.abc import Mapping

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from lumeire.audit.chain import canonical_json, canonical_time
from lumeire.audit.errors import AuditKeyError

CHECKPOINT_INFO = b"lumeire audit checkpoint"
ARCHIVE_INFO = b"lumeire audit archive"
CHAIN_INFO = b"lumeire audit chain"
ANCHOR_INFO = b"lumeire audit anchor"
NONCE_BYTES = 12

# Every column of audit_auditcheckpoint but the signature: what the signature covers.
SIGNED_COLUMNS = (
    "sequence",
    "created_at",
    "first_id",
    "last_id",
    "entry_count",
    "start_hash",
    "last_hash",
    "range_digest",
    "archive_name",
    "archive_sha256",
    "key_id",
)


def derive_key(master: str, info: bytes, setting_name: str = "LUMEIRE_MASTER_KEY") -> bytes:
    """The 32-byte key for ``info`` derived from a base64 master key (32 bytes, as the vault's)."""
    try:
        root = base64.b64decode(str(master).strip(), validate=True)
    except (binascii.Error, ValueError):
        raise AuditKeyError(f"{setting_name} must be base64 text.") from None
    if len(root) != 32:
        raise AuditKeyError(f"{setting_name} must decode to 32 bytes, not {len(root)}.")
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(root)


def key_id_of(signing_key: bytes, prefix: str = "ak-") -> str:
    """A name for a signing key that reveals nothing of it; ``prefix`` says what it signs."""
    return prefix + hashlib.sha256(b"lumeire audit key id|" + signing_key).hexdigest()[:16]


def checkpoint_message(columns: Mapping[str, object]) -> bytes:
    """The bytes signed for a checkpoint: its ``SIGNED_COLUMNS`` as canonical JSON."""
    values = {name: columns[name] for name in SIGNED_COLUMNS}
    values["created_at"] = canonical_time(values["created_at"])
    for name in ("sequence", "first_id", "last_id", "entry_count"):
        values[name] = int(values[name])
    return canonical_json(values)


def sign(columns: Mapping[str, object], signing_key: bytes) -> str:
    return hmac.new(signing_key, checkpoint_message(columns), hashlib.sha256).hexdigest()


def signature_holds(columns: Mapping[str, object], signature: str, signing_key: bytes) -> bool:
    return hmac.compare_digest(sign(columns, signing_key), str(signature))


def chunk_associated_data(sequence: int, index: int, last: bool) -> bytes:
    """Binds a sealed chunk to its checkpoint, its place and whether it ends the file, so chunks
    cannot be reordered, dropped, cut off or moved to another archive."""
    place = "last" if last else "more"
    return f"lumeire audit archive|{int(sequence)}|{int(index)}|{place}".encode()


def seal_chunk(archive_key: bytes, plaintext: bytes, associated_data: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(archive_key).encrypt(nonce, plaintext, associated_data)


def open_chunk(archive_key: bytes, blob: bytes, associated_data: bytes) -> bytes:
    """The clear chunk; ``cryptography.exceptions.InvalidTag`` when anything does not match."""
    return AESGCM(archive_key).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], associated_data)
