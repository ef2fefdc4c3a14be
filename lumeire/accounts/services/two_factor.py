"""Optional two-factor sign-in with an authenticator app (TOTP) and single-use recovery codes."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import pyotp
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from lumeire.accounts.emails import email_user
from lumeire.accounts.errors import AccountError, AccountErrorCode
from lumeire.accounts.models import TwoFactorDevice, TwoFactorRecoveryCode, User
from lumeire.accounts.services.current_password import require_current_password
from lumeire.core.tokens import secret_hash

RECOVERY_CODE_COUNT = 10


@dataclass(frozen=True)
class Enrolment:
    """What the enrolment page shows once: the secret (as a QR code) and its URI."""

    secret: str
    provisioning_uri: str


def two_factor_begin(*, actor: User) -> Enrolment:
    """Start (or restart) enrolment with a fresh secret; sign-in is unchanged until confirmed."""
    secret = pyotp.random_base32()
    device, _created = TwoFactorDevice.objects.get_or_create(
        user=actor, defaults={"secret": secret}
    )
    if device.confirmed_at is not None:
        raise AccountError(
            AccountErrorCode.INVALID_INPUT, _("Two-factor sign-in is already on for this account.")
        )
    device.secret = secret
    device.last_used_step = 0
    device.save()
    uri = pyotp.TOTP(secret).provisioning_uri(
        name=actor.get_username(), issuer_name=settings.LUMEIRE_STORE_NAME
    )
    return Enrolment(secret=secret, provisioning_uri=uri)


def _new_recovery_codes(user: User) -> list[str]:
    TwoFactorRecoveryCode.objects.filter(user=user).delete()
    codes = [f"{secrets.token_hex(4)}-{secrets.token_hex(4)}" for _ in range(RECOVERY_CODE_COUNT)]
    TwoFactorRecoveryCode.objects.bulk_create(
        TwoFactorRecoveryCode(user=user, code_hash=secret_hash(code)) for code in codes
    )
    return codes


@transaction.atomic
def two_factor_confirm(*, actor: User, code: str) -> list[str]:
    """Turn two-factor on with a first valid code; return the recovery codes, shown once."""
    device = TwoFactorDevice.objects.select_for_update().filter(user=actor).first()
    if device is None or device.confirmed_at is not None:
        raise AccountError(AccountErrorCode.INVALID_INPUT, _("Start enrolment first."))
    step = _matching_step(device, code)
    if step is None:
        raise AccountError(
            AccountErrorCode.TWO_FACTOR_INVALID,
            _("That code is not right. Check the time on your phone and try the newest code."),
            field_errors={"code": [_("That code is not right.")]},
        )
    device.confirmed_at = timezone.now()
    device.last_used_step = step
    device.save()
    email_user(actor, "two_factor_on")
    return _new_recovery_codes(actor)


def _matching_step(device: TwoFactorDevice, code: str) -> int | None:
    code = "".join((code or "").split())
    if not code.isascii() or not code.isdigit() or len(code) != 6:
        return None
    totp = pyotp.TOTP(device.secret)
    now = timezone.now()
    for offset in (0, -1, 1):  # one step of clock drift either way
        at = now.timestamp() + offset * totp.interval
        step = int(at // totp.interval)
        if step > device.last_used_step and secrets.compare_digest(totp.at(at), code):
            return step
    return None


@transaction.atomic
def two_factor_check(*, user: User, code: str) -> bool:
    """Accept a current code once (no replay), or an unused recovery code."""
    device = TwoFactorDevice.objects.select_for_update().filter(user=user).first()
    if device is None or device.confirmed_at is None:
        return False
    step = _matching_step(device, code)
    if step is not None:
        device.last_used_step = step
        device.save(update_fields=["last_used_step"])
        return True
    used = TwoFactorRecoveryCode.objects.filter(
        user=user, code_hash=secret_hash((code or "").strip().lower()), used_at__isnull=True
    ).update(used_at=timezone.now())
    return used > 0


@transaction.atomic
def two_factor_disable(*, actor: User, password: str, request: HttpRequest | None = None) -> None:
    """Turn two-factor off; needs the current password."""
    require_current_password(actor, password, request=request, field="password")
    TwoFactorDevice.objects.filter(user=actor).delete()
    TwoFactorRecoveryCode.objects.filter(user=actor).delete()
    email_user(actor, "two_factor_off")
