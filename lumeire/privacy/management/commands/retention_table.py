"""manage.py retention_table: the README's retention table, from the apps' declarations."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import translation

from lumeire.privacy.retention import retention_table


class Command(BaseCommand):
    help = (
        "Print the retention table (Markdown): every category purge_expired reports and what "
        "goes when, built from each model's declared purges."
    )

    def handle(self, *args: object, **options: object) -> None:
        with translation.override("en"):
            self.stdout.write(retention_table())
