"""The local mail folder: one ``.eml`` file per message and recipient, readable by the store alone.

Django's file backend appends every message of a connection to one shared file, so one file
could hold mail to several people, and it is created with the process's default mode. Here each
recipient's copy is its own file (the copy names that recipient only, and never the Bcc list),
written 0600 in a 0700 folder, under a random name that says nothing about who it is for.
"""

from __future__ import annotations

import copy
import os
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend

FILE_MODE = 0o600
FOLDER_MODE = 0o700
# Headers that would name the other recipients in a copy meant for one.
_RECIPIENT_HEADERS = {"to", "cc", "bcc"}


def private_folder(path: Path) -> Path:
    """Create ``path`` (and its parents) if missing and make it the owner's alone."""
    try:
        path.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise ImproperlyConfigured(f"The mail folder {path} exists but is not a folder.") from None
    os.chmod(path, FOLDER_MODE)  # an older folder may have been created more open
    return path


def write_private_file(folder: Path, name: str, content: bytes) -> Path:
    """Write ``content`` to ``folder/name`` with mode 0600; a reader never sees half a file."""
    target = folder / name
    partial = folder / f".{name}.partial"
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    try:
        with os.fdopen(descriptor, "wb") as out:
            out.write(content)
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return target


def copy_for(message: EmailMessage, recipient: str) -> EmailMessage:
    """The message as ``recipient`` alone receives it."""
    single = copy.copy(message)
    single.to, single.cc, single.bcc = [recipient], [], []
    single.extra_headers = {
        name: value
        for name, value in message.extra_headers.items()
        if name.lower() not in _RECIPIENT_HEADERS
    }
    return single


class MailFolderBackend(BaseEmailBackend):
    """Deliver mail as files in ``EMAIL_FILE_PATH``: one file per message and recipient."""

    def __init__(self, *, file_path: str | os.PathLike | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        folder = file_path if file_path is not None else settings.EMAIL_FILE_PATH
        if not folder:
            raise ImproperlyConfigured("EMAIL_FILE_PATH must name the mail folder.")
        self.folder = Path(folder).resolve()

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        """Write each recipient's copy; return how many messages were delivered."""
        if not email_messages:
            return 0
        folder = private_folder(self.folder)
        delivered = 0
        for message in email_messages:
            recipients = message.recipients()
            if not recipients:
                continue
            try:
                for recipient in recipients:
                    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")
                    content = copy_for(message, recipient).message().as_bytes(linesep="\n")
                    write_private_file(folder, f"{stamp}-{secrets.token_hex(6)}.eml", content)
            except Exception:
                if not self.fail_silently:
                    raise
                continue
            delivered += 1
        return delivered
