"""Django's ``flush``, able to empty the audit log of a SQLite database as it empties the rest.

On PostgreSQL ``flush`` truncates, which row triggers do not see. On SQLite it deletes row by
row, which the audit log's triggers refuse; a flush wipes the whole database (the test runner
does it after every transactional test), so here the triggers (on entries and on checkpoints)
are dropped and made again in the same transaction as the deletes: if anything fails, they are
back as they were.
"""

from __future__ import annotations

from django.core.management.commands.flush import Command as DjangoFlush
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from lumeire.audit.protection import (
    TABLE,
    installed_version,
    protect_statements,
    unprotect_statements,
)


class Command(DjangoFlush):
    def handle(self, **options):
        database = options.get("database") or DEFAULT_DB_ALIAS
        connection = connections[database]
        if connection.vendor != "sqlite" or TABLE not in connection.introspection.table_names():
            return super().handle(**options)
        version = installed_version(connection)
        with transaction.atomic(using=database):
            with connection.cursor() as cursor:
                for statement in unprotect_statements("sqlite", version):
                    cursor.execute(statement)
            result = super().handle(**options)
            with connection.cursor() as cursor:
                for statement in protect_statements("sqlite", version):
                    cursor.execute(statement)
        return result
