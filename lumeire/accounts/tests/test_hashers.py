"""The suite hashes cheaply by default; tests about hashing get the store's own Argon2id cost."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import check_password, get_hasher, make_password

from config.settings_test import STORE_PASSWORD_HASHERS
from lumeire.accounts.hashers import StoreArgon2PasswordHasher
from lumeire.accounts.tests.hashers import CheapArgon2PasswordHasher

SECRET = "a lantern in the old souq at night"


def test_the_store_hashes_with_argon2id_at_64_mib_two_passes_two_lanes():
    assert STORE_PASSWORD_HASHERS[0] == "lumeire.accounts.hashers.StoreArgon2PasswordHasher"
    store = StoreArgon2PasswordHasher()
    assert (store.memory_cost, store.time_cost, store.parallelism) == (65536, 2, 2)


def test_an_unmarked_test_hashes_with_the_cheap_argon2id():
    hasher = get_hasher("default")
    assert (hasher.algorithm, hasher.memory_cost, hasher.time_cost) == ("argon2", 8, 1)
    assert make_password(SECRET).startswith("argon2$argon2id$v=19$m=8,t=1,p=1$")


@pytest.mark.password_hashing
def test_a_hashing_test_gets_the_store_cost_and_still_reads_cheap_hashes():
    cheap_hasher = CheapArgon2PasswordHasher()
    cheap = cheap_hasher.encode(SECRET, cheap_hasher.salt())

    assert type(get_hasher("default")) is StoreArgon2PasswordHasher
    assert make_password(SECRET).startswith("argon2$argon2id$v=19$m=65536,t=2,p=2$")
    assert check_password(SECRET, cheap)
    assert get_hasher("default").must_update(cheap)  # upgraded to the store's cost at sign-in
