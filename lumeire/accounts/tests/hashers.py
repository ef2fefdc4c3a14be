"""The test suite's password hasher (config/settings_test.py)."""

from __future__ import annotations

from lumeire.accounts.hashers import StoreArgon2PasswordHasher


class CheapArgon2PasswordHasher(StoreArgon2PasswordHasher):
    """Argon2id at its smallest cost (8 KiB, one pass, one lane): microseconds, not 70 ms.

    The same algorithm name and format as the store's, so hashes verify the same way and a
    store-cost hash still checks; only the tests marked ``password_hashing`` use the real cost.
    """

    time_cost = 1
    memory_cost = 8
    parallelism = 1
