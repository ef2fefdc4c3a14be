"""Re-wrap every data key under the newest master key, online and resumable."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from tqdm import tqdm

from lumeire.audit.services import audit_record
from lumeire.vault.audit_actions import VaultAuditAction
from lumeire.vault.journal import journal_reseal
from lumeire.vault.keycheck import (
    AUDIT_CHAIN_KEY,
    MASTER_KEY,
    fingerprint_record_current,
    key_problems,
    refusal_message,
)
from lumeire.vault.keyring import get_keyring
from lumeire.vault.selectors import data_keys_to_rotate
from lumeire.vault.services import rotate_batch


class Command(BaseCommand):
    help = (
        "Re-wrap all data keys under the current master key (LUMEIRE_MASTER_KEY). Keep the old "
        "key in LUMEIRE_MASTER_KEYS_RETIRED until this reports nothing left, then remove it. "
        "Safe to interrupt and run again: it continues where it stopped. When done, the erasure "
        "journal is signed again under the current key, and the current key is recorded as the "
        "one every node must hold (see `manage.py keys_check`)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500, help="Keys per transaction.")

    def handle(self, *args: object, batch_size: int, **options: object) -> None:
        if batch_size < 1:
            self.stderr.write("--batch-size must be at least 1.")
            raise SystemExit(2)
        # Only keys that open what is stored may become the recorded ones.
        problems = [p for p in key_problems() if p.key in (MASTER_KEY, AUDIT_CHAIN_KEY)]
        if problems:
            raise CommandError(refusal_message(problems))
        current = get_keyring().current.key_id
        remaining = data_keys_to_rotate().count()
        total = 0
        with tqdm(total=remaining, unit="key", disable=remaining == 0, file=self.stderr) as bar:
            while True:
                done = rotate_batch(batch_size=batch_size)
                if done == 0:
                    break
                total += done
                bar.update(done)
        left = data_keys_to_rotate().count()
        with transaction.atomic():
            # The batches commit one by one; the run as a whole is recorded once, by the store.
            audit_record(
                actor=None,
                action=VaultAuditAction.KEY_ROTATION,
                target_type="vault.datakey",
                target_id=current,
                reason=f"{total} data keys re-wrapped under master key {current}; {left} left",
            )
        self.stdout.write(f"Re-wrapped {total} data keys under master key {current}; {left} left.")
        if left:
            raise SystemExit(1)
        # Every data key opens with the current master key now: nodes must hold it.
        with transaction.atomic():
            fingerprint_record_current(MASTER_KEY)
            fingerprint_record_current(AUDIT_CHAIN_KEY)
        self.stdout.write("Recorded the current master key as the one every node must hold.")
        # The erasure journal too moves to the current master, so the retired one can go.
        resealed = journal_reseal()
        self.stdout.write(f"Erasure journal: {resealed} records signed under {current}.")
