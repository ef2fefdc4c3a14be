"""The database's own refusal to change audit entries: triggers on PostgreSQL and SQLite.

The triggers fire per row on UPDATE and DELETE, whoever connects: the ORM, raw SQL, a shell.
TRUNCATE fires no row trigger; it empties every table of a test database between transactional
tests, and in production only the database owner may run it, so it is left open. SQLite has no
TRUNCATE: Django's ``flush`` deletes row by row there, so this app's ``flush`` command lifts the
triggers inside the flush's transaction and puts them back before it commits (see
``management/commands/flush.py``); a whole-database wipe is not an edit of the log.
"""

from __future__ import annotations

TABLE = "audit_auditentry"
REFUSAL = "audit log entries cannot be changed or deleted"

POSTGRESQL_PROTECT = [
    f"""
    CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{REFUSAL} (% of entry %)', TG_OP, OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END;
    $$
    """,
    f"""
    CREATE TRIGGER audit_auditentry_append_only
    BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()
    """,
]
POSTGRESQL_UNPROTECT = [
    f"DROP TRIGGER IF EXISTS audit_auditentry_append_only ON {TABLE}",
    "DROP FUNCTION IF EXISTS audit_refuse_change()",
]

SQLITE_TRIGGERS = ("audit_auditentry_no_update", "audit_auditentry_no_delete")
SQLITE_PROTECT = [
    f"""
    CREATE TRIGGER audit_auditentry_no_update BEFORE UPDATE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END
    """,
    f"""
    CREATE TRIGGER audit_auditentry_no_delete BEFORE DELETE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END
    """,
]
SQLITE_UNPROTECT = [f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_TRIGGERS]


def protect_statements(vendor: str) -> list[str]:
    return {"postgresql": POSTGRESQL_PROTECT, "sqlite": SQLITE_PROTECT}.get(vendor, [])


def unprotect_statements(vendor: str) -> list[str]:
    return {"postgresql": POSTGRESQL_UNPROTECT, "sqlite": SQLITE_UNPROTECT}.get(vendor, [])


def is_protected(connection) -> bool:
    """Whether the refusing triggers are in place on this connection's database."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT count(*) FROM pg_trigger WHERE tgname = 'audit_auditentry_append_only' "
                "AND tgrelid = %s::regclass AND tgenabled <> 'D'",
                [TABLE],
            )
            return cursor.fetchone()[0] == 1
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN (%s, %s)",
                list(SQLITE_TRIGGERS),
            )
            return cursor.fetchone()[0] == len(SQLITE_TRIGGERS)
    return False
