"""Load the demo store. Idempotent: a second run changes nothing."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from lumeire.demo.loaders import DemoOptions, demo_loaders, demo_sign_ins


class Command(BaseCommand):
    help = (
        "Load the demo store: a catalogue, a demo customer and demo staff. Safe to run again: "
        "existing demo data is left as it is. --products 100000 builds a large catalogue."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--products", type=int, default=300, help="How many demo products (default 300)."
        )

    def handle(self, *args: object, products: int, **options: object) -> None:
        if not 1 <= products <= 1_000_000:
            raise CommandError("--products must be between 1 and 1,000,000.")
        with tqdm(
            total=products, unit="product", file=self.stderr, leave=False, disable=products < 1000
        ) as bar:
            for name, loader in demo_loaders(DemoOptions(products=products, progress=bar.update)):
                self.stdout.write(f"  {name}: {loader()}")
        for who, username, password in demo_sign_ins():
            self.stdout.write(f"  sign in as {who}: {username} / {password}")
