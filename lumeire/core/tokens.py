"""One-time secrets handed to a customer: random, shown once, stored only as SHA-256."""

from __future__ import annotations

import hashlib
import secrets


def new_secret(nbytes: int = 32) -> str:
    """A URL-safe random secret."""
    return secrets.token_urlsafe(nbytes)


def secret_hash(raw: str) -> str:
    """The stored form of a secret: a plain SHA-256 suffices for 256 random bits."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()
