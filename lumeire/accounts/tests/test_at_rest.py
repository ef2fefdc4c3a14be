"""After sign-up, a copy of the database holds none of the customer's values in clear."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection

from lumeire.accounts.tests.factories import make_customer

pytestmark = pytest.mark.django_db

PASSWORD = "my secret phrase about the red sea"
VALUES = {
    "name": "Fatimah Al-Qahtani",
    "email": "fatimah.q@example.com",
    "identity": "1058529940",
    "birth": "1987-03-09",
    "username": "fatimahq",
    "answer": "al-noor school",
}


def every_stored_value() -> str:
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        chunks.append(bytes(value).decode("latin-1"))
                    else:
                        chunks.append(str(value))
    return "\n".join(chunks).casefold()


def test_a_raw_read_of_every_table_finds_no_personal_value_in_clear():
    make_customer(
        username=VALUES["username"],
        email=VALUES["email"],
        full_name=VALUES["name"],
        identity_number=VALUES["identity"],
        date_of_birth=date(1987, 3, 9),
        password=PASSWORD,
        recovery_answer="Al-Noor School",
    )
    dump = every_stored_value()
    for label, value in [*VALUES.items(), ("password", PASSWORD)]:
        assert value.casefold() not in dump, f"the {label} is stored in clear"
