"""manage.py purge_expired: apply every retention period; prints counts by category only."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from lumeire.privacy.retention import purge_expired


class Command(BaseCommand):
    help = "Delete what has outlived its retention period and erase accounts that are due."

    def handle(self, *args: object, **options: object) -> None:
        for category, count in purge_expired().items():
            self.stdout.write(f"{category}: {count}")
