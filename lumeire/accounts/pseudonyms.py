"""Keyed hashes that let the store count attempts without keeping logins or addresses in clear."""

from __future__ import annotations

from lumeire.accounts.normalization import normalize_username
from lumeire.vault.blind_index import blind_index


def login_ref(login: str) -> str:
    """The same value for the same login however it is typed."""
    return blind_index("signin.login", normalize_username(login or ""), normalizer="text")


def client_ref(address: str | None) -> str:
    """A keyed hash of a client address ('' when unknown)."""
    return blind_index("client.address", address, normalizer="text") if address else ""
