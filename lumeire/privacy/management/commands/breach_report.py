"""manage.py breach_report: who may be affected by an incident, by data category, and the
notification emails to review before sending. Prints counts only; the emails go to files."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from lumeire.privacy.breach import breach_assess, breach_notices_write


def _day(text: str, *, end: bool = False) -> datetime:
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"Not a date: {text!r} (use YYYY-MM-DD or an ISO time).") from error
    if len(text) <= 10 and isinstance(parsed, datetime):
        parsed = datetime.combine(date.fromisoformat(text), time.max if end else time.min)
    if timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


class Command(BaseCommand):
    help = "Count the customers an incident may affect, by data category, and draft their emails."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--since", required=True, help="Start of the window (YYYY-MM-DD).")
        parser.add_argument("--until", help="End of the window (YYYY-MM-DD); now by default.")
        parser.add_argument("--key", help="A data key id: its customer is affected.")
        parser.add_argument("--out", help="Folder for the emails; var/breach/<time>/ by default.")

    def handle(self, *args: object, **options: object) -> None:
        since = _day(str(options["since"]))
        until = _day(str(options["until"]), end=True) if options.get("until") else timezone.now()
        if until < since:
            raise CommandError("--until is before --since.")
        key_id = None
        if options.get("key"):
            try:
                key_id = uuid.UUID(str(options["key"]))
            except ValueError as error:
                raise CommandError("--key is a data key id (a UUID).") from error
        out = options.get("out") or (
            Path(settings.BASE_DIR) / "var" / "breach" / timezone.now().strftime("%Y%m%dT%H%M%SZ")
        )
        assessment = breach_assess(since=since, until=until, key_id=key_id)
        written = breach_notices_write(assessment, Path(str(out)))
        self.stdout.write(f"Window: {since.isoformat()} to {until.isoformat()}")
        for category, count in assessment.counts_by_category().items():
            self.stdout.write(f"{category}: {count} customer(s)")
        self.stdout.write(f"Customers affected: {len(assessment.customers)}")
        self.stdout.write(f"Notification emails written: {written} in {out}")
        self.stdout.write(
            "Notify the regulator (SDAIA) within 72 hours of becoming aware of the breach."
        )
