"""Recompute the whole audit chain (every checkpoint's signature, every entry's HMAC and link)
and check it against the signed heads kept outside the database."""

from __future__ import annotations

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection

from lumeire.audit.anchors import DEFAULT_MAX_AGE, check_anchors
from lumeire.audit.errors import AuditKeyError
from lumeire.audit.verification import verify_chain


class Command(BaseCommand):
    help = (
        "Check every audit checkpoint's signature and place, recompute every live entry's HMAC "
        "(plain SHA-256 for the entries before the seal) and its link to the previous entry, "
        "then check the signed anchors in LUMEIRE_AUDIT_ANCHOR_DIR: each anchored entry must "
        "still carry its hash and the log must hold at least the newest anchor's count. Prints "
        "'OK <count> entries, head <hash>' or 'BROKEN at entry|checkpoint <id>: <why>', then an "
        "'ANCHOR ...' line, and exits 1 on a break, a bad, missing or stale anchor, or when the "
        "database no longer refuses changes to the log."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--chunk-size", type=int, default=5000, help="Rows fetched at a time.")
        parser.add_argument(
            "--archives",
            action="store_true",
            help="Also open each checkpoint's archive file and recompute every entry in it.",
        )
        parser.add_argument(
            "--anchor-max-age",
            type=int,
            default=int(DEFAULT_MAX_AGE.total_seconds()),
            metavar="SECONDS",
            help="How old the newest anchor may be (default %(default)s).",
        )
        parser.add_argument(
            "--allow-stale-anchor",
            action="store_true",
            help="Pass although the newest anchor is missing or older than --anchor-max-age "
            "(a copy restored elsewhere, a stopped worker); the anchors found are still checked.",
        )

    def handle(
        self,
        *args: object,
        chunk_size: int,
        archives: bool,
        anchor_max_age: int,
        allow_stale_anchor: bool,
        **options: object,
    ) -> None:
        if chunk_size < 1:
            self.stderr.write("--chunk-size must be at least 1.")
            raise SystemExit(2)
        if anchor_max_age < 1:
            self.stderr.write("--anchor-max-age must be at least 1 second.")
            raise SystemExit(2)
        try:
            outcome = verify_chain(chunk_size=chunk_size, archives=archives)
            anchored = check_anchors(
                outcome,
                max_age=timedelta(seconds=anchor_max_age),
                allow_stale=allow_stale_anchor,
            )
        except AuditKeyError as error:
            self.stderr.write(f"The audit log's keys cannot be derived: {error}")
            raise SystemExit(2) from None
        self.stdout.write(outcome.summary())
        self.stdout.write(anchored.line)
        failed = outcome.broken_at is not None or not anchored.ok
        if outcome.broken_at is None and not outcome.protected:
            self.stdout.write(
                f"UNPROTECTED: the {connection.vendor} triggers that refuse changes to the "
                "audit log are missing or disabled"
            )
            failed = True
        if failed:
            raise SystemExit(1)
