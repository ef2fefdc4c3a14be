"""manage.py erasure_check: does the database agree with the erasure journal?"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from lumeire.vault.journal import journal_path, read_journal
from lumeire.vault.selectors import journaled_keys_held, tombstones_missing_from_journal


class Command(BaseCommand):
    help = (
        "Verify the erasure journal (LUMEIRE_ERASURE_JOURNAL_DIR) and list the data keys it "
        "says were destroyed that the database still holds, as a restored backup does. Exits 1 "
        "when the journal fails verification or keys are held: run erasure_replay. Prints key "
        "and account ids only, never a personal value."
    )
    # It must run on the very database the system checks refuse.
    requires_system_checks: list[str] = []

    def handle(self, *args: object, **options: object) -> None:
        reading = read_journal()
        self.stdout.write(f"Erasure journal: {journal_path()} ({len(reading.records)} records)")
        for problem in reading.problems:
            self.stdout.write(f"TAMPERED: {problem}")
        held = journaled_keys_held(reading)
        for row in held:
            self.stdout.write(f"HELD: data key {row.id} of subject {row.subject_id}")
        missing = tombstones_missing_from_journal(reading)
        for row in missing:
            self.stdout.write(f"NOT IN JOURNAL: destroyed data key {row.id}")
        self.stdout.write(
            f"{len(held)} journaled keys held by the database, {len(reading.problems)} journal "
            f"problems, {len(missing)} destroyed keys missing from the journal."
        )
        if reading.problems or held:
            self.stderr.write("Run `manage.py erasure_replay` before serving.")
            raise SystemExit(1)
