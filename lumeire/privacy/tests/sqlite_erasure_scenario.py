"""Run in a subprocess by test_erasure_leaves_no_key_in_files: a real store on a SQLite file in
WAL mode, two customers, one erased. Prints, as JSON, the bytes an attacker would look for.

Usage: python -m lumeire.privacy.tests.sqlite_erasure_scenario SNAPSHOT_FOLDER (DATABASE_URL,
DJANGO_SETTINGS_MODULE and LUMEIRE_ERASURE_JOURNAL_DIR come from the environment). The database
files are copied to SNAPSHOT_FOLDER right after the erasure, while still open.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path


def main() -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()  # mail to memory, as the sign-up link is read from it
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)  # rate limits live there, as `make run` sets up

    from lumeire.accounts.models import Customer, SignInEvent, User
    from lumeire.accounts.services.signin import api_token_issue
    from lumeire.accounts.tests.factories import identity_number, make_customer
    from lumeire.privacy.erasure import erasure_carry_out
    from lumeire.vault.models import DataKey

    erased = make_customer(
        username="hessa.scenario",
        email="hessa.scenario@example.com",
        full_name="Hessa Al-Dosari",
        identity_number=identity_number(7301),
    )
    kept = make_customer(username="kept.scenario", email="kept.scenario@example.com")
    token = api_token_issue(user=erased)
    SignInEvent.objects.create(user=erased, outcome="success", login_ref="f" * 64)

    def hexes(row, *names):
        # values() hands sealed columns over unopened: their stored bytes.
        blobs = [getattr(row[name], "blob", row[name]) for name in names]
        return [bytes(blob).hex() for blob in blobs if blob is not None]

    with connection.cursor() as cursor:
        cursor.execute("PRAGMA secure_delete")
        secure_delete = cursor.fetchone()[0]
    profile = Customer.objects.filter(pk=erased.pk).values(
        "full_name", "identity_number", "date_of_birth", "recovery_question"
    )[0]
    account = User.objects.filter(pk=erased.pk).values(
        "username", "email", "username_index", "email_index"
    )[0]
    before = {
        "erased_key": bytes(DataKey.objects.get(subject_id=erased.pk).wrapped_key).hex(),
        "kept_key": bytes(DataKey.objects.get(subject_id=kept.pk).wrapped_key).hex(),
        "blind_indexes": [
            account["username_index"],
            account["email_index"],
            Customer.objects.get(pk=erased.pk).identity_index,
        ],
        "deleted_rows": [token.token.token_hash, "f" * 64],
        "ciphertexts": hexes(profile, *profile) + hexes(account, "username", "email"),
    }
    assert erasure_carry_out(erased) is True
    # Copy the files while the store still has them open, as someone reading a running
    # server's disk would: closing the last connection would checkpoint the log by itself.
    database = Path(connection.settings_dict["NAME"])
    snapshot = Path(sys.argv[1])
    snapshot.mkdir(parents=True, exist_ok=True)
    for path in database.parent.glob(database.name + "*"):
        shutil.copyfile(path, snapshot / path.name)
    json.dump({"secure_delete": secure_delete, **before}, sys.stdout)


if __name__ == "__main__":
    main()
