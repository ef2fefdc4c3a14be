"""Keyed hashes that let the store count attempts without keeping logins or addresses in clear."""

from __future__ import annotations

import uuid

from lumeire.accounts.normalization import normalize_login
from lumeire.vault.blind_index import blind_index


def login_ref(login: str) -> str:
    """The same value for every spelling of a login that the account lookup treats as one."""
    return blind_index("signin.login", normalize_login(login or ""), normalizer="text")


def account_ref(user_id: uuid.UUID | str) -> str:
    """A pseudonym of one account, for counters that must not name it (never its id in clear)."""
    return blind_index("signin.account", str(user_id), normalizer="text")


def client_ref(address: str | None) -> str:
    """A keyed hash of a client address ('' when unknown)."""
    return blind_index("client.address", address, normalizer="text") if address else ""
