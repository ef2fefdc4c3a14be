"""The backup and restore drill, on PostgreSQL with the real pg_dump and pg_restore.

A customer with a name, email, identity number, date of birth and a delivery address is dumped,
then erased; the dump is restored into a fresh database, as after an incident. The restored
database holds their key again (the attack: key and data open with the master key), the store
refuses it (``check`` and ``migrate`` stop on vault.E020) until ``manage.py erasure_replay`` runs
the journal, and then nothing of theirs opens any more. Every step is a real subprocess of the
store against the restored database. ``make drill`` runs it (marker ``drill``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client

from lumeire.accounts.services.signin import api_token_issue
from lumeire.accounts.tests.factories import identity_number, make_customer
from lumeire.cart.services import cart_add, customer_cart
from lumeire.catalog.tests.factories import make_category, make_product
from lumeire.privacy.erasure import erasure_carry_out
from lumeire.vault.cipher import Place, open_sealed
from lumeire.vault.errors import VaultError
from lumeire.vault.keyring import get_keyring, unwrap_data_key
from lumeire.vault.models import DataKey

pytestmark = [pytest.mark.drill, pytest.mark.django_db(transaction=True)]

ROOT = Path(django_settings.BASE_DIR)
NAME = "Reem Al-Mutairi"
ADDRESS = {
    "full_name": NAME,
    "phone": "0559876543",
    "city": "Jeddah",
    "district": "Al Rawdah",
    "street": "Prince Sultan Street",
    "building": "4410",
    "postal_code": "23435",
    "country": "SA",
}


def _url(database: str) -> str:
    values = connection.settings_dict
    password = f":{values['PASSWORD']}" if values.get("PASSWORD") else ""
    host = values.get("HOST") or "127.0.0.1"
    port = values.get("PORT") or 5432
    return f"postgres://{values['USER']}{password}@{host}:{port}/{database}"


def _run(*command: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - fixed programs, arguments of our own
        list(command), cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def _store(database_url: str, *arguments: str) -> subprocess.CompletedProcess:
    """``manage.py`` of the store against another database, with the same journal and keys."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "LUMEIRE_ERASURE_JOURNAL_DIR": str(django_settings.LUMEIRE_ERASURE_JOURNAL_DIR),
    }
    return _run(sys.executable, "manage.py", *arguments, env=env)


def _attacker_reads(database_url: str, subject: uuid.UUID, table: str, column: str, pk) -> str:
    """What someone holding the database and the master key reads: the key, then the value."""
    with psycopg.connect(database_url) as db:
        wrapped, master_id = db.execute(
            "SELECT wrapped_key, master_key_id FROM vault_datakey WHERE subject_id = %s",
            [subject],
        ).fetchone()
        if wrapped is None:
            raise VaultError("the key is gone")
        key = unwrap_data_key(bytes(wrapped), subject, get_keyring().by_id(master_id))
        primary = "user_id" if table == "accounts_customer" else "id"
        blob = db.execute(
            f"SELECT {column} FROM {table} WHERE {primary} = %s",  # noqa: S608 - our names
            [pk],
        ).fetchone()[0]
    return open_sealed(bytes(blob), data_key=key, place=Place(table, column, str(pk))).decode()


def _place_order(customer) -> None:
    """An order delivered to the customer's address, saved for next time, through the API."""
    variant = make_product(category=make_category(), price="50.00", stock=3).variants.get()
    cart_add(cart=customer_cart(customer), sku=variant.sku, quantity=1)
    token = api_token_issue(user=customer).raw
    placed = Client().post(
        "/api/v1/checkout/orders",
        data={
            "shipping_address": ADDRESS,
            "shipping_method": "standard",
            "payment": {"method": "cod"},
            "save_address": True,
        },
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex},
    )
    assert placed.status_code == 201, placed.content


@pytest.fixture
def restored_database():
    if connection.vendor != "postgresql":
        pytest.skip(
            "The drill restores a PostgreSQL dump with pg_dump and pg_restore: run it with "
            "DATABASE_URL=postgres://… (make drill). On SQLite the erasure is checked in the "
            "database files instead (test_erasure_leaves_no_key_in_files)."
        )
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("pg_dump and pg_restore are not installed")
    name = f"{connection.settings_dict['NAME']}_restored"[:63]
    admin = psycopg.connect(_url("postgres"), autocommit=True)
    admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _url(name)
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def test_a_restored_backup_stays_erased_by_the_journal(restored_database, tmp_path):
    customer = make_customer(
        username="reem.drill",
        email="reem.drill@example.com",
        full_name=NAME,
        identity_number=identity_number(8802),
    )
    _place_order(customer)
    live = _url(connection.settings_dict["NAME"])
    with psycopg.connect(live) as db:
        order_id, address_id = (
            db.execute(
                "SELECT id FROM orders_order WHERE customer_id = %s", [customer.pk]
            ).fetchone()[0],
            db.execute(
                "SELECT id FROM checkout_address WHERE customer_id = %s", [customer.pk]
            ).fetchone()[0],
        )

    # 1. The nightly backup, taken while the customer still had an account.
    dump = tmp_path / "store.dump"
    dumped = _run("pg_dump", "--format=custom", f"--file={dump}", f"--dbname={live}")
    assert dumped.returncode == 0, dumped.stderr

    # 2. The customer is erased: key shredded, recorded in the journal, key table rewritten.
    assert erasure_carry_out(customer) is True
    with pytest.raises(VaultError):
        _attacker_reads(live, customer.pk, "accounts_customer", "full_name", customer.pk)

    # 3. An incident: the backup is restored into a fresh database.
    restored = _run("pg_restore", "--no-owner", f"--dbname={restored_database}", str(dump))
    assert restored.returncode == 0, restored.stderr

    # The attack on a restored backup: the key is back, and with it every value.
    subject = customer.pk
    assert (
        _attacker_reads(restored_database, subject, "accounts_customer", "full_name", subject)
        == NAME
    )
    assert _attacker_reads(restored_database, subject, "accounts_user", "email", subject) == (
        "reem.drill@example.com"
    )
    assert (
        _attacker_reads(restored_database, subject, "orders_order", "street", order_id)
        == (ADDRESS["street"])
    )

    # 4. The store refuses the restored database until the journal is replayed.
    checked = _store(restored_database, "check", "--database", "default")
    assert checked.returncode != 0 and "vault.E020" in checked.stderr, checked.stderr
    migrated = _store(restored_database, "migrate", "--noinput")
    assert migrated.returncode != 0 and "vault.E020" in migrated.stderr, migrated.stderr
    report = _store(restored_database, "erasure_check")
    assert report.returncode == 1 and f"of subject {subject}" in report.stdout

    # 5. The procedure: replay the journal.
    replayed = _store(restored_database, "erasure_replay")
    assert replayed.returncode == 0, replayed.stderr
    assert "Replayed 1 erasures" in replayed.stdout

    # 6. Nothing of the customer opens any more; the store starts again.
    for table, column, pk in (
        ("accounts_customer", "full_name", subject),
        ("accounts_customer", "identity_number", subject),
        ("accounts_customer", "date_of_birth", subject),
        ("accounts_user", "email", subject),
        ("orders_order", "street", order_id),
    ):
        with pytest.raises(VaultError):
            _attacker_reads(restored_database, subject, table, column, pk)
    with psycopg.connect(restored_database) as db:
        assert db.execute(
            "SELECT email_index, username_index, is_active FROM accounts_user WHERE id = %s",
            [subject],
        ).fetchone() == (None, None, False)
        assert db.execute(
            "SELECT count(*) FROM checkout_address WHERE id = %s", [address_id]
        ).fetchone() == (0,)
        assert db.execute(
            "SELECT count(*) FROM accounts_apitoken WHERE user_id = %s", [subject]
        ).fetchone() == (0,)
    assert _store(restored_database, "check", "--database", "default").returncode == 0
    again = _store(restored_database, "erasure_replay")
    assert again.returncode == 0 and "Replayed 0 erasures" in again.stdout
    assert DataKey.objects.get(subject_id=subject).wrapped_key is None
