"""manage.py roles_table: the README's role table, from the staff access model."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import translation

from lumeire.staff.describe import roles_table


class Command(BaseCommand):
    help = (
        "Print the staff role table (Markdown): what each role may do and which personal "
        "values it may see in clear, and how, built from lumeire/staff/access.py."
    )

    def handle(self, *args: object, **options: object) -> None:
        with translation.override("en"):
            self.stdout.write(roles_table(), ending="")
