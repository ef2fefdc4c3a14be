"""Freed space in the database files is overwritten, so a destroyed key leaves no copy there."""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper


def secure_delete_on_sqlite(
    sender: object, connection: BaseDatabaseWrapper, **kwargs: object
) -> None:
    """Make SQLite zero deleted rows and freed pages on every connection, not only in free lists
    that a later write may or may not reuse."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA secure_delete = ON")
