"""manage.py erasure_replay: after a restore, make every journaled erasure final again."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from lumeire.privacy.erasure import erasure_replay
from lumeire.vault.journal import journal_path, read_journal
from lumeire.vault.services import journal_record_tombstones


class Command(BaseCommand):
    help = (
        "Destroy again every data key the erasure journal lists that the database holds (a "
        "backup restored from before those erasures): each person is erased again, without "
        "email, and each replay is audited. Safe to run twice. Run it after every restore, "
        "before serving."
    )
    # It must run on the very database the system checks refuse.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--record-tombstones",
            action="store_true",
            help="Also add to the journal the destroyed keys the database shows and the "
            "journal lacks (erasures made before the journal existed).",
        )

    def handle(self, *args: object, record_tombstones: bool, **options: object) -> None:
        reading = read_journal()
        for problem in reading.problems:
            self.stderr.write(f"Erasure journal {journal_path()}: {problem}")
        replayed = erasure_replay()
        self.stdout.write(f"Replayed {replayed} erasures from {len(reading.records)} records.")
        if record_tombstones:
            recorded = journal_record_tombstones()
            self.stdout.write(f"Recorded {recorded} destroyed keys in the journal.")
        if reading.problems:
            self.stderr.write(
                "The journal fails verification: only its verified lines were replayed. "
                "Restore it from its own backup and run this again."
            )
            raise SystemExit(1)
