"""Staff accounts for tests, opened through the back office's own service."""

from __future__ import annotations

import io
import itertools
from collections.abc import Iterable

import pyotp
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from lumeire.accounts.models import TwoFactorDevice, User
from lumeire.accounts.services.two_factor import two_factor_begin, two_factor_confirm
from lumeire.staff.services import staff_create

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


LOGIN_URL = "/backoffice/login/"
# Recovery codes of the devices this module enrolled, for when the current codes are used up.
_recovery_codes: dict[object, list[str]] = {}


def enrol_two_factor(user: User) -> str:
    """Give ``user`` a confirmed authenticator device through the accounts services; its secret."""
    enrolment = two_factor_begin(actor=user)
    _recovery_codes[user.pk] = two_factor_confirm(
        actor=user, code=pyotp.TOTP(enrolment.secret).now()
    )
    return enrolment.secret


def next_code(user: User) -> str:
    """A one-time code the device of ``user`` accepts now (not yet used), else a recovery code."""
    device = TwoFactorDevice.objects.get(user=user, confirmed_at__isnull=False)
    totp = pyotp.TOTP(device.secret)
    now = timezone.now().timestamp()
    for offset in (0, 1, -1):
        at = now + offset * totp.interval
        if int(at // totp.interval) > device.last_used_step:
            return totp.at(at)
    return _recovery_codes[user.pk].pop()


def staff_client(user: User, *, password: str = STAFF_PASSWORD) -> Client:
    """A browser signed in to the back office as ``user`` through the real sign-in page.

    Enrols a device first when the staff member has none, then signs in with the password and
    a real one-time code, so the session has passed the second factor like a person's would.
    """
    if not TwoFactorDevice.objects.filter(user=user, confirmed_at__isnull=False).exists():
        enrol_two_factor(user)
    client = Client()
    response = client.post(
        LOGIN_URL,
        {"login": user.username, "password": password, "code": next_code(user), "next": ""},
    )
    if response.status_code != 302:
        raise AssertionError(f"staff sign-in failed ({response.status_code})")
    return client


# The name the back office tests used before two-factor sign-in: the same real sign-in now.
signed_in = staff_client


def png_upload(name: str = "photo.png", size: tuple[int, int] = (640, 480)) -> SimpleUploadedFile:
    """A small real PNG, drawn with Pillow."""
    buffer = io.BytesIO()
    Image.new("RGB", size, (138, 74, 11)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")
