"""Open a staff account: the only way one is made (a customer account never becomes staff)."""

from __future__ import annotations

import getpass
from pathlib import Path

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError, CommandParser

from lumeire.backoffice.errors import StaffError
from lumeire.backoffice.services import staff_create


class Command(BaseCommand):
    help = (
        "Open a staff account and put it in one or more groups (for example "
        '"Catalogue manager"). The password is asked for, or read from --password-file; '
        "it is never taken from the command line, where shell history and process lists "
        "would keep it."
    )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: object) -> CommandParser:
        # No abbreviations: "--password SECRET" must fail, not be read as --password-file.
        return super().create_parser(prog_name, subcommand, allow_abbrev=False, **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", help="The staff member's username.")
        parser.add_argument("--email", help="The staff member's email address.")
        parser.add_argument(
            "--group",
            action="append",
            dest="groups",
            metavar="NAME",
            help="A group to join; repeat for several. Asked for when left out.",
        )
        parser.add_argument(
            "--password-file",
            type=Path,
            help="Read the password from the first line of this file (for scripts).",
        )
        parser.add_argument(
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Ask nothing: fail when a value is missing.",
        )

    def handle(self, *args: object, **options: object) -> None:
        interactive = bool(options["interactive"])
        username = options["username"] or self._ask("Username: ", "--username", interactive)
        email = options["email"] or self._ask("Email: ", "--email", interactive)
        groups = options["groups"]
        if groups is None:
            groups = self._ask_groups(interactive)
        password = self._password(options["password_file"], interactive)
        try:
            user = staff_create(username=username, email=email, password=password, groups=groups)
        except StaffError as error:
            lines = [error.message]
            for field, messages in error.field_errors.items():
                lines += [f"  {field}: {message}" for message in messages]
            raise CommandError("\n".join(lines)) from None
        names = ", ".join(group.name for group in user.groups.order_by("name")) or "no group"
        self.stdout.write(self.style.SUCCESS(f"Staff account {user.pk} opened ({names})."))

    def _ask(self, prompt: str, option: str, interactive: bool) -> str:
        if not interactive:
            raise CommandError(f"Give {option} (nothing is asked with --no-input).")
        try:
            return input(prompt).strip()
        except EOFError:
            raise CommandError(f"Give {option}: there is no terminal to ask.") from None

    def _ask_groups(self, interactive: bool) -> list[str]:
        if not interactive:
            return []
        known = ", ".join(Group.objects.order_by("name").values_list("name", flat=True))
        self.stdout.write(f"Groups: {known or '(none yet)'}")
        answer = self._ask("Groups to join, separated by commas (empty: none): ", "--group", True)
        return [name.strip() for name in answer.split(",") if name.strip()]

    def _password(self, password_file: Path | None, interactive: bool) -> str:
        if password_file is not None:
            try:
                text = password_file.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as error:
                reason = getattr(error, "strerror", None) or error
                raise CommandError(f"Cannot read the password file: {reason}") from None
            lines = text.splitlines()
            return lines[0] if lines else ""
        if not interactive:
            raise CommandError("Give --password-file (nothing is asked with --no-input).")
        try:
            password = getpass.getpass("Password: ")
            again = getpass.getpass("Password (again): ")
        except EOFError:
            raise CommandError("Give --password-file: there is no terminal to ask.") from None
        if password != again:
            raise CommandError("The two passwords differ. Nothing was created.")
        return password
