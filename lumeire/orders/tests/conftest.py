"""Fixtures for the order tests."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _quick_password_hashing(settings):
    """Customers are opened by the dozen here; Argon2 at 64 MiB each would only add minutes.

    Hashing has its own tests in the accounts app; nothing here depends on the hasher.
    """
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
