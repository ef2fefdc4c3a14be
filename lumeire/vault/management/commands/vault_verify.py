"""Check every wrapped data key and a sample (or all) of the stored ciphertexts."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from lumeire.vault.keyring import get_keyring
from lumeire.vault.verification import verify_ciphertexts, verify_data_keys


class Command(BaseCommand):
    help = "Verify that every data key unwraps and that encrypted values decrypt."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--all", action="store_true", help="Open every ciphertext.")
        parser.add_argument("--sample", type=int, default=200, help="Rows per model to open.")

    def handle(self, *args: object, all: bool, sample: int, **options: object) -> None:
        keys = verify_data_keys()
        values = verify_ciphertexts(sample=None if all else max(sample, 0))
        self.stdout.write(f"Current master key: {get_keyring().current.key_id}")
        self.stdout.write(
            "Data keys: {ok} ok ({old_master} still under a retired master key), "
            "{shredded} shredded, {failed} failed".format(
                ok=keys["ok"],
                old_master=keys["old_master"],
                shredded=keys["shredded"],
                failed=keys["failed"],
            )
        )
        self.stdout.write(
            "Values{scope}: {ok} ok, {erased} erased, {empty} empty, {failed} failed".format(
                scope=" (all)" if all else f" (up to {sample} rows per model)",
                ok=values["ok"],
                erased=values["erased"],
                empty=values["empty"],
                failed=values["failed"],
            )
        )
        if keys["failed"] or values["failed"]:
            raise SystemExit(1)
