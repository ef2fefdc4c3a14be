"""Load the demo store. Idempotent: a second run changes nothing."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction

from lumeire.demo.loaders import DEMO_SIGN_INS, LOADERS


class Command(BaseCommand):
    help = "Load the demo store (safe to run again: existing demo data is left as it is)."

    def handle(self, *args: object, **options: object) -> None:
        for name, loader in LOADERS:
            with transaction.atomic():
                outcome = loader()
            self.stdout.write(f"  {name}: {outcome}")
        if not LOADERS:
            self.stdout.write("  The demo store has no demo data to load yet.")
        for who, username, password in DEMO_SIGN_INS:
            self.stdout.write(f"  sign in as {who}: {username} / {password}")
