"""After a shred, the key store is scrubbed: no old row version holds the destroyed key.

On PostgreSQL an UPDATE leaves the old row version, wrapped key included, in the table's file
until a vacuum; a plain vacuum can still leave its bytes in a page's free space. The scrub
rewrites the key table (VACUUM FULL): a new file without them. Where the test can read the
server's files (a local server and a superuser), it looks at the bytes themselves. A rewrite
keeps what an older open transaction may still see, so the scrub first waits for those.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import DatabaseError, connection

from lumeire.vault.models import DataKey
from lumeire.vault.services import keystore_scrub, shred
from lumeire.vault.tests.sample.models import SamplePerson

# With the drill (`make drill`): alone on the server, no other worker's transaction holds old
# row versions, and the scrub has nothing to wait for.
pytestmark = [pytest.mark.drill, pytest.mark.django_db(transaction=True)]

TABLE = DataKey._meta.db_table


def _key_table_file() -> Path | None:
    """The key table's data file, when this process may read the server's files."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("CHECKPOINT")  # write the table's pages out to its file
            cursor.execute(
                "SELECT current_setting('data_directory'), pg_relation_filepath(%s)", [TABLE]
            )
            folder, relative = cursor.fetchone()
    except DatabaseError:
        return None
    path = Path(folder) / relative
    try:
        path.read_bytes()
    except OSError:
        return None
    return path


def _filenode() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_relation_filenode(%s)", [TABLE])
        return cursor.fetchone()[0]


@pytest.fixture
def postgresql():
    if connection.vendor != "postgresql":
        pytest.skip(
            "VACUUM is PostgreSQL's; SQLite is covered by test_erasure_leaves_no_key_in_files"
        )


def test_the_scrub_rewrites_the_key_table_so_no_old_version_of_the_key_remains(postgresql):
    people = [
        SamplePerson.objects.create(full_name=f"Person {n}", email=f"p{n}@example.com")
        for n in range(40)
    ]
    erased = people[-1]  # the newest row: its old version sits where a plain vacuum leaves bytes
    wrapped = bytes(DataKey.objects.get(subject_id=erased.pk).wrapped_key)
    kept = bytes(DataKey.objects.get(subject_id=people[0].pk).wrapped_key)
    before = _filenode()

    assert shred(erased.pk) is True
    file_after_shred = _key_table_file()
    if file_after_shred is not None:
        # The attack: the NULL is written, and the old version of the row is still on disk.
        assert wrapped in file_after_shred.read_bytes()

    # A transaction older than the shred, anywhere on the server (another test worker's), can
    # keep the old version through a rewrite; the scrub says so, and the next one finishes.
    outcomes = [keystore_scrub()]
    while outcomes[-1] == "rewritten_while_busy" and len(outcomes) < 6:
        outcomes.append(keystore_scrub())
    assert outcomes[-1] == "rewritten", outcomes

    assert _filenode() != before
    assert DataKey.objects.get(subject_id=erased.pk).wrapped_key is None
    assert SamplePerson.objects.get(pk=people[0].pk).full_name == "Person 0"
    rewritten = _key_table_file()
    if rewritten is not None:
        content = rewritten.read_bytes()
        assert wrapped not in content
        assert kept in content  # the search itself works


def test_inside_a_transaction_the_scrub_waits_for_the_commit(postgresql):
    from django.db import transaction

    person = SamplePerson.objects.create(full_name="Later", email="later@example.com")
    before = _filenode()
    with transaction.atomic():
        shred(person.pk)
        assert keystore_scrub() == "deferred"
        assert _filenode() == before
    assert _filenode() != before
