"""Recompute the whole audit chain: every checkpoint's signature, every entry's hash and link."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection

from lumeire.audit.errors import AuditKeyError
from lumeire.audit.verification import verify_chain


class Command(BaseCommand):
    help = (
        "Check every audit checkpoint's signature and place, then recompute every live entry's "
        "hash and its link to the previous entry. Prints 'OK <count> entries, head <hash>' (with "
        "'(N in M checkpoints)' once entries are archived) or 'BROKEN at entry|checkpoint <id>: "
        "<why>' and exits 1 on a break or when the database no longer refuses changes to the log."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--chunk-size", type=int, default=5000, help="Rows fetched at a time.")
        parser.add_argument(
            "--archives",
            action="store_true",
            help="Also open each checkpoint's archive file and recompute every entry in it.",
        )

    def handle(self, *args: object, chunk_size: int, archives: bool, **options: object) -> None:
        if chunk_size < 1:
            self.stderr.write("--chunk-size must be at least 1.")
            raise SystemExit(2)
        try:
            outcome = verify_chain(chunk_size=chunk_size, archives=archives)
        except AuditKeyError as error:
            self.stderr.write(f"The audit checkpoints' keys cannot be derived: {error}")
            raise SystemExit(2) from None
        self.stdout.write(outcome.summary())
        if outcome.broken_at is not None:
            raise SystemExit(1)
        if not outcome.protected:
            self.stdout.write(
                f"UNPROTECTED: the {connection.vendor} triggers that refuse changes to the "
                "audit log are missing or disabled"
            )
            raise SystemExit(1)
