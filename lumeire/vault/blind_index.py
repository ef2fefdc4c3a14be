"""Blind indexes: HMAC-SHA256 of a normalised value under a key kept apart from the data.

Each purpose (customer email, identity number...) gets its own key derived with HKDF, so
indexes of different kinds never match one another.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import unicodedata
from collections.abc import Callable
from functools import cache
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

from lumeire.vault.errors import VaultConfigurationError


def normalize_text(value: Any) -> str:
    """Unicode NFKC, case-folded, inner white space collapsed."""
    return " ".join(unicodedata.normalize("NFKC", str(value)).casefold().split())


def normalize_email(value: Any) -> str:
    """Emails compare without case or surrounding space."""
    return normalize_text(value).replace(" ", "")


def normalize_digits(value: Any) -> str:
    """Keep digits only (any script folded to ASCII by NFKC is not trusted: ASCII only)."""
    text = unicodedata.normalize("NFKC", str(value))
    return "".join(ch for ch in text if "0" <= ch <= "9")


NORMALIZERS: dict[str, Callable[[Any], str]] = {
    "text": normalize_text,
    "email": normalize_email,
    "digits": normalize_digits,
}


@cache
def _purpose_key(master: str, purpose: str) -> bytes:
    try:
        root = base64.b64decode(master.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise VaultConfigurationError("LUMEIRE_BLIND_INDEX_KEY must be base64 text.") from None
    if len(root) < 32:
        raise VaultConfigurationError("LUMEIRE_BLIND_INDEX_KEY must decode to at least 32 bytes.")
    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=None,
        info=b"lumeire blind index|" + purpose.encode(),
    ).derive(root)


def blind_index(purpose: str, value: Any, *, normalizer: str = "text") -> str:
    """Return the hex HMAC-SHA256 of ``value`` normalised, under the key for ``purpose``."""
    key = _purpose_key(settings.LUMEIRE_BLIND_INDEX_KEY, purpose)
    normalised = NORMALIZERS[normalizer](value)
    return hmac.new(key, normalised.encode("utf-8"), hashlib.sha256).hexdigest()
