"""Settings for the test suite: the store's own settings with one change, a cheap password hash.

Argon2id at the store's 64 MiB costs about 70 ms a hash, and the suite opens thousands of
accounts; here the same algorithm runs at its smallest cost. The tests about hashing itself (the
policy's parameters, the upgrade of older hashes) carry ``@pytest.mark.password_hashing`` and get
the store's hashers back (see ``conftest.py``), as does ``make bench``, which never reads this file.
"""

from config.settings import *  # noqa: F403 - the store's settings, unchanged but for the below
from config.settings import PASSWORD_HASHERS as STORE_PASSWORD_HASHERS
from config.settings import STORAGES as STORE_STORAGES
from config.storage_url import storages_from_url

PASSWORD_HASHERS = [
    "lumeire.accounts.tests.hashers.CheapArgon2PasswordHasher",
    *STORE_PASSWORD_HASHERS,
]

# The suite's files stay in local folders whatever the shell exports; the bucket tests start
# their own S3 server and point the storages at it themselves.
LUMEIRE_STORAGE_URL = ""
STORAGES = {**storages_from_url(""), "staticfiles": STORE_STORAGES["staticfiles"]}

# Each test process keeps its pages to itself: parallel test runs give their databases the same
# names, and a test's pages must not be served to another's.
CACHES = {
    **CACHES,  # noqa: F405
    "pages": {**CACHES["pages"], "OPTIONS": {**CACHES["pages"]["OPTIONS"], "SHARED_DIR": None}},  # noqa: F405
}
