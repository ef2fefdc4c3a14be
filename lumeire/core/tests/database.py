"""Reading the whole database as text: what a test uses to prove a value is stored nowhere."""

from __future__ import annotations

from django.db import connection


def every_cell() -> list[str]:
    """Every value of every table, as case-folded text (binary columns decoded leniently)."""
    cells = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608 - names from introspection
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, memoryview):
                        value = value.tobytes()
                    if isinstance(value, bytes):
                        value = value.decode("utf-8", errors="ignore")
                    if value is not None:
                        cells.append(str(value).casefold())
    return cells
