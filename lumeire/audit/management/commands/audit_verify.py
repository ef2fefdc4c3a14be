"""Recompute the whole audit chain: every entry's hash and every link, in id order."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection

from lumeire.audit.verification import verify_chain


class Command(BaseCommand):
    help = (
        "Recompute every audit entry's hash and its link to the previous entry. Prints "
        "'OK <count> entries, head <hash>' or 'BROKEN at entry <id>: <why>' and exits 1 on a "
        "break or when the database no longer refuses changes to the log."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--chunk-size", type=int, default=5000, help="Rows fetched at a time.")

    def handle(self, *args: object, chunk_size: int, **options: object) -> None:
        if chunk_size < 1:
            self.stderr.write("--chunk-size must be at least 1.")
            raise SystemExit(2)
        outcome = verify_chain(chunk_size=chunk_size)
        if outcome.broken_at is not None:
            self.stdout.write(f"BROKEN at entry {outcome.broken_at}: {outcome.why}")
            raise SystemExit(1)
        self.stdout.write(f"OK {outcome.count} entries, head {outcome.head}")
        if not outcome.protected:
            self.stdout.write(
                f"UNPROTECTED: the {connection.vendor} triggers that refuse changes to the "
                "audit log are missing or disabled"
            )
            raise SystemExit(1)
