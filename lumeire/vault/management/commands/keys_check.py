"""Compare this node's keys with the fingerprints recorded for the database; 1 on a mismatch."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, transaction

from lumeire.audit.services import audit_record
from lumeire.vault.audit_actions import VaultAuditAction
from lumeire.vault.keycheck import (
    RECORDABLE_BY_HAND,
    SHARED_KEYS,
    fingerprint_record_current,
    key_problems,
    recorded_fingerprints,
)


class Command(BaseCommand):
    help = (
        "Check that this node's SECRET_KEY, master keys, blind index key and audit chain key "
        "open the data in the database, as every node's must (the same check that stops "
        "gunicorn and the task worker from starting). Prints one line per key, never a key's "
        "value; exit 1 when one differs. --record SECRET_KEY records a SECRET_KEY changed on "
        "purpose on every node (the master key is recorded by vault_rotate)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--record",
            choices=RECORDABLE_BY_HAND,
            help="Record this node's current value of the key as the one every node must hold.",
        )

    def handle(self, *args: object, record: str | None, **options: object) -> None:
        if record and record not in RECORDABLE_BY_HAND:
            raise CommandError(
                f"--record takes {', '.join(RECORDABLE_BY_HAND)} only: the master key is "
                "recorded by `manage.py vault_rotate`, and the blind index key cannot change."
            )
        try:
            if record:
                self._record(record)
            problems = {problem.key: problem for problem in key_problems()}
            recorded = recorded_fingerprints() or {}
        except DatabaseError as error:
            reason = error.__class__.__name__
            raise CommandError(f"The database did not answer ({reason}).") from None
        for name in SHARED_KEYS:
            if name in problems:
                self.stdout.write(f"{name}: DIFFERS - {problems[name].reason}")
            elif name in recorded:
                self.stdout.write(f"{name}: matches")
            else:
                self.stdout.write(f"{name}: no fingerprint recorded yet (run `manage.py migrate`)")
        if problems:
            raise CommandError(
                f"{len(problems)} key(s) differ: {', '.join(problems)}. This node must not serve."
            )

    def _record(self, name: str) -> None:
        with transaction.atomic():
            fingerprint_record_current(name)
            audit_record(
                actor=None,
                action=VaultAuditAction.KEY_ROTATION,
                target_type="vault.keyfingerprint",
                target_id=name,
                reason=f"{name} changed on every node: its new fingerprint recorded",
            )
        self.stdout.write(f"Recorded the fingerprint of this node's {name}.")
