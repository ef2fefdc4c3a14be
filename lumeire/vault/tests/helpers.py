"""Raw database access for the vault tests: what an attacker with a copy of the database sees."""

from __future__ import annotations

from django.db import connection


def raw_column(table: str, column: str, pk: object) -> bytes | None:
    """Read one stored value with plain SQL, bypassing the ORM and the vault."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {quote(column)} FROM {quote(table)} WHERE {quote('id')} = %s",  # noqa: S608
            [_pk_param(pk)],
        )
        row = cursor.fetchone()
    return None if row is None or row[0] is None else bytes(row[0])


def write_raw_column(table: str, column: str, pk: object, value: bytes) -> None:
    """Overwrite one stored value with plain SQL, as a tampering attacker would."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(table)} SET {quote(column)} = %s WHERE {quote('id')} = %s",  # noqa: S608
            [connection.Database.Binary(value), _pk_param(pk)],
        )


def raw_rows(table: str) -> list[tuple[object, ...]]:
    """Every row of a table as the database returns it."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
        return cursor.fetchall()


def _pk_param(pk: object) -> object:
    # SQLite stores UUID primary keys as 32 hex characters; PostgreSQL has a uuid type.
    return pk.hex if connection.vendor == "sqlite" else pk
