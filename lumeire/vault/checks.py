"""System checks of the erasure journal: a restored database may not serve until it is replayed.

``vault.E021`` (any command, no database needed): the journal fails verification — an edited,
forged, removed or moved line, or a line signed by a master key no longer configured.
``vault.E020`` (``migrate``, ``check --database default``): the database holds data keys the
journal lists as destroyed, as a restored backup does until ``manage.py erasure_replay``.
``vault.W022`` (same): the database shows destroyed keys the journal does not list — the
journal was lost or replaced by an older copy; restore it from its own backup.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core import checks
from django.db import DatabaseError, router

from lumeire.vault.journal import current_journal, journal_path
from lumeire.vault.models import DataKey
from lumeire.vault.selectors import journaled_keys_held, tombstones_missing_from_journal

REPLAY_HINT = (
    "Run `manage.py erasure_replay` (the backup and restore procedure in the README), "
    "then start the store again."
)


@checks.register()
def check_erasure_journal(
    app_configs: object = None, **kwargs: object
) -> list[checks.CheckMessage]:
    """Refuse to run while the erasure journal fails verification."""
    return [
        checks.Error(
            f"The erasure journal {journal_path()} fails verification: {problem}.",
            hint="Restore the journal from its own backup; never edit it by hand.",
            id="vault.E021",
        )
        for problem in current_journal().problems
    ]


@checks.register(checks.Tags.database)
def check_journaled_keys(
    app_configs: object = None, databases: Iterable[str] | None = None, **kwargs: object
) -> list[checks.CheckMessage]:
    """Refuse to migrate a database that still holds keys the journal says were destroyed."""
    if not databases or router.db_for_write(DataKey) not in set(databases):
        return []
    reading = current_journal()
    try:
        held = journaled_keys_held(reading)
        missing = tombstones_missing_from_journal(reading)
    except DatabaseError:
        return []  # no key table yet: nothing can be held
    messages: list[checks.CheckMessage] = []
    if held:
        messages.append(
            checks.Error(
                f"The database holds {len(held)} data keys that the erasure journal lists as "
                "destroyed (a backup restored from before those erasures).",
                hint=REPLAY_HINT,
                id="vault.E020",
            )
        )
    if missing:
        messages.append(
            checks.Warning(
                f"The database shows {len(missing)} destroyed data keys that the erasure "
                f"journal {journal_path()} does not list: the journal was lost or replaced by "
                "an older copy.",
                hint="Restore the journal from its own backup. If the store's erasures predate "
                "the journal, `manage.py erasure_replay --record-tombstones` lists them.",
                id="vault.W022",
            )
        )
    return messages
