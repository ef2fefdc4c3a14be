"""manage.py detect_sweep: run every detection rule over the events since the last sweep."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from lumeire.compliance.detection import detect_sweep


class Command(BaseCommand):
    help = "Run the irregular-activity rules over new events; prints counts only."

    def handle(self, *args: object, **options: object) -> None:
        outcome = detect_sweep()
        self.stdout.write(
            f"events: {outcome.events}\nsignals: {outcome.signals}\ncases opened: {outcome.cases}"
        )
