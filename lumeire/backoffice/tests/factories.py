"""Staff accounts for tests, opened through the back office's own service."""

from __future__ import annotations

import io
import itertools
from collections.abc import Iterable

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from lumeire.accounts.models import User
from lumeire.backoffice.services import staff_create

STAFF_PASSWORD = "amber lantern over a quiet harbour"
BACKEND = "lumeire.accounts.backends.LoginBackend"
_serial = itertools.count(1)


def make_staff(*, groups: Iterable[str] = (), username: str | None = None) -> User:
    serial = next(_serial)
    return staff_create(
        username=username or f"staff{serial}",
        email=f"staff{serial}@example.com",
        password=STAFF_PASSWORD,
        groups=groups,
    )


def signed_in(user: User) -> Client:
    """A browser already signed in as ``user`` (the sign-in form has its own tests)."""
    client = Client()
    client.force_login(user, backend=BACKEND)
    return client


def png_upload(name: str = "photo.png", size: tuple[int, int] = (640, 480)) -> SimpleUploadedFile:
    """A small real PNG, drawn with Pillow."""
    buffer = io.BytesIO()
    Image.new("RGB", size, (138, 74, 11)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")
