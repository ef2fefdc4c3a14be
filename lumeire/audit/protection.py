"""The database's own refusal to change audit entries: triggers on PostgreSQL and SQLite.

The triggers fire per row on UPDATE and DELETE, whoever connects: the ORM, raw SQL, a shell.
An entry may be deleted only once a checkpoint covers it (``OLD.id`` at or below the newest
checkpoint's ``last_id``): that is how ``audit_checkpoint`` moves old entries to their archive.
Checkpoints themselves are never changed or deleted. A checkpoint row slipped in by hand to
unlock deletes carries no valid signature, and ``audit_verify`` reports it.

TRUNCATE fires no row trigger; it empties every table of a test database between transactional
tests, and in production only the database owner may run it, so it is left open. SQLite has no
TRUNCATE: Django's ``flush`` deletes row by row there, so this app's ``flush`` command lifts the
triggers inside the flush's transaction and puts them back before it commits (see
``management/commands/flush.py``); a whole-database wipe is not an edit of the log.

Version 1 is what migration 0002 installed (entries only, no delete ever); version 2 is from
migration 0005 on. Migrations name their version so they keep doing what they did.
"""

from __future__ import annotations

TABLE = "audit_auditentry"
CHECKPOINT_TABLE = "audit_auditcheckpoint"
REFUSAL = "audit log entries cannot be changed or deleted"
CHECKPOINT_REFUSAL = "audit checkpoints cannot be changed or deleted"
CURRENT = 2

# The newest checkpoint's last entry: entries up to it may leave the live table.
_SEALED_UP_TO = f"(SELECT COALESCE(MAX(last_id), 0) FROM {CHECKPOINT_TABLE})"  # noqa: S608 - constant

_POSTGRESQL_ENTRY_TRIGGER = f"""
    CREATE TRIGGER audit_auditentry_append_only
    BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()
    """

POSTGRESQL_PROTECT = {
    1: [
        f"""
        CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '{REFUSAL} (% of entry %)', TG_OP, OLD.id
                USING ERRCODE = 'integrity_constraint_violation';
        END;
        $$
        """,
        _POSTGRESQL_ENTRY_TRIGGER,
    ],
    2: [
        f"""
        CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'DELETE' AND OLD.id <= {_SEALED_UP_TO} THEN
                RETURN OLD;
            END IF;
            RAISE EXCEPTION '{REFUSAL} (% of entry %)', TG_OP, OLD.id
                USING ERRCODE = 'integrity_constraint_violation';
        END;
        $$
        """,
        _POSTGRESQL_ENTRY_TRIGGER,
        f"""
        CREATE OR REPLACE FUNCTION audit_checkpoint_refuse_change() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '{CHECKPOINT_REFUSAL} (% of checkpoint %)', TG_OP, OLD.sequence
                USING ERRCODE = 'integrity_constraint_violation';
        END;
        $$
        """,
        f"""
        CREATE TRIGGER audit_auditcheckpoint_append_only
        BEFORE UPDATE OR DELETE ON {CHECKPOINT_TABLE}
        FOR EACH ROW EXECUTE FUNCTION audit_checkpoint_refuse_change()
        """,
    ],
}
POSTGRESQL_UNPROTECT = {
    1: [
        f"DROP TRIGGER IF EXISTS audit_auditentry_append_only ON {TABLE}",
        "DROP FUNCTION IF EXISTS audit_refuse_change()",
    ],
    2: [
        f"DROP TRIGGER IF EXISTS audit_auditentry_append_only ON {TABLE}",
        "DROP FUNCTION IF EXISTS audit_refuse_change()",
        f"DROP TRIGGER IF EXISTS audit_auditcheckpoint_append_only ON {CHECKPOINT_TABLE}",
        "DROP FUNCTION IF EXISTS audit_checkpoint_refuse_change()",
    ],
}
POSTGRESQL_TRIGGERS = {
    1: ((TABLE, "audit_auditentry_append_only"),),
    2: (
        (TABLE, "audit_auditentry_append_only"),
        (CHECKPOINT_TABLE, "audit_auditcheckpoint_append_only"),
    ),
}

# SQLite: one trigger per table and operation, each statement keyed by its trigger's name.
SQLITE_STATEMENTS = {
    1: {
        "audit_auditentry_no_update": f"""
            CREATE TRIGGER audit_auditentry_no_update BEFORE UPDATE ON {TABLE}
            BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END
            """,
        "audit_auditentry_no_delete": f"""
            CREATE TRIGGER audit_auditentry_no_delete BEFORE DELETE ON {TABLE}
            BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END
            """,
    },
    2: {
        "audit_auditentry_no_update": f"""
            CREATE TRIGGER audit_auditentry_no_update BEFORE UPDATE ON {TABLE}
            BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END
            """,
        "audit_auditentry_no_delete": f"""
            CREATE TRIGGER audit_auditentry_no_delete BEFORE DELETE ON {TABLE}
            WHEN OLD.id > {_SEALED_UP_TO}
            BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END
            """,
        "audit_auditcheckpoint_no_update": f"""
            CREATE TRIGGER audit_auditcheckpoint_no_update BEFORE UPDATE ON {CHECKPOINT_TABLE}
            BEGIN SELECT RAISE(ABORT, '{CHECKPOINT_REFUSAL}'); END
            """,
        "audit_auditcheckpoint_no_delete": f"""
            CREATE TRIGGER audit_auditcheckpoint_no_delete BEFORE DELETE ON {CHECKPOINT_TABLE}
            BEGIN SELECT RAISE(ABORT, '{CHECKPOINT_REFUSAL}'); END
            """,
    },
}


def sqlite_protect(version: int = CURRENT, *, names: tuple[str, ...] | None = None) -> list[str]:
    """The CREATE TRIGGER statements of ``version``, or only those of the triggers ``names``."""
    statements = SQLITE_STATEMENTS[version]
    return [sql for name, sql in statements.items() if names is None or name in names]


def protect_statements(vendor: str, version: int = CURRENT) -> list[str]:
    if vendor == "postgresql":
        return POSTGRESQL_PROTECT[version]
    if vendor == "sqlite":
        return sqlite_protect(version)
    return []


def unprotect_statements(vendor: str, version: int = CURRENT) -> list[str]:
    if vendor == "postgresql":
        return POSTGRESQL_UNPROTECT[version]
    if vendor == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_STATEMENTS[version]]
    return []


def installed_version(connection) -> int:
    """Which version the migrations have reached here: 2 once the checkpoint table exists."""
    return CURRENT if CHECKPOINT_TABLE in connection.introspection.table_names() else 1


def is_protected(connection) -> bool:
    """Whether every refusing trigger of the installed version is in place on this database."""
    version = installed_version(connection)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            wanted = POSTGRESQL_TRIGGERS[version]
            found = 0
            for table, name in wanted:
                cursor.execute(
                    "SELECT count(*) FROM pg_trigger WHERE tgname = %s "
                    "AND tgrelid = %s::regclass AND tgenabled <> 'D'",
                    [name, table],
                )
                found += cursor.fetchone()[0]
            return found == len(wanted)
        if connection.vendor == "sqlite":
            names = list(SQLITE_STATEMENTS[version])
            marks = ", ".join(["%s"] * len(names))
            cursor.execute(
                f"SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN ({marks})",  # noqa: S608 - placeholders only
                names,
            )
            return cursor.fetchone()[0] == len(names)
    return False
