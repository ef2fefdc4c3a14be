"""Open a staff account: the only way one is made (a customer account never becomes staff)."""

from __future__ import annotations

import getpass
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lumeire.staff.errors import StaffError
from lumeire.staff.services import ROLE_NAMES, staff_create


class Command(BaseCommand):
    help = (
        "Open a staff account with one or more roles ("
        + ", ".join(ROLE_NAMES)
        + "). The roles are asked for when no --group is given. The password is asked for, "
        "or read from --password-file; it is never taken from the command line, where shell "
        "history and process lists would keep it."
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
            help="A role to hold (its group name); repeat for several. Asked for when left out.",
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
            groups = self._ask_roles(interactive)
        unknown = [name for name in groups if name.strip() and name.strip() not in ROLE_NAMES]
        if unknown:
            raise CommandError(
                "Unknown role: "
                + ", ".join(unknown)
                + ". The roles are: "
                + ", ".join(ROLE_NAMES)
                + ". Nothing was created."
            )
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

    def _ask_roles(self, interactive: bool) -> list[str]:
        """Offer the seven roles by number; several may be chosen, unknown answers ask again."""
        if not interactive:
            raise CommandError("Give --group (nothing is asked with --no-input).")
        self.stdout.write("Roles:")
        for number, name in enumerate(ROLE_NAMES, start=1):
            self.stdout.write(f"  {number}. {name}")
        while True:
            answer = self._ask(
                "Roles to hold, by number or name, separated by commas: ", "--group", True
            )
            chosen: list[str] = []
            wrong: list[str] = []
            for part in (piece.strip() for piece in answer.split(",")):
                if not part:
                    continue
                if part.isdigit() and 1 <= int(part) <= len(ROLE_NAMES):
                    chosen.append(ROLE_NAMES[int(part) - 1])
                elif part in ROLE_NAMES:
                    chosen.append(part)
                else:
                    wrong.append(part)
            if wrong:
                self.stderr.write(f"Unknown role: {', '.join(wrong)}. Choose from the list.")
            elif not chosen:
                self.stderr.write("Choose at least one role.")
            else:
                return list(dict.fromkeys(chosen))

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
