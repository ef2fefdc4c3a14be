"""Signing in and out: lockouts, sign-in events, two-factor, and API tokens."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import authenticate, user_login_failed
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lumeire.accounts.audit_actions import AccountAuditAction
from lumeire.accounts.errors import AccountError, AccountErrorCode
from lumeire.accounts.lockout import attempt_ref, forget_failures_of
from lumeire.accounts.models import (
    AccountKind,
    ApiToken,
    SignInEvent,
    SignInOutcome,
    TwoFactorDevice,
    User,
)
from lumeire.accounts.pseudonyms import client_ref
from lumeire.accounts.services.two_factor import two_factor_check
from lumeire.audit.services import audit_record
from lumeire.core.client import client_address
from lumeire.core.tokens import new_secret, secret_hash

logger = logging.getLogger(__name__)
security_log = logging.getLogger("lumeire.security")


@dataclass(frozen=True)
class IssuedToken:
    """A bearer token as handed to the client once; only its hash is stored."""

    raw: str
    token: ApiToken


def lockout_seconds() -> int:
    """How long a locked account or address waits."""
    return int(settings.AXES_COOLOFF_TIME.total_seconds())


def _locked_out_error() -> AccountError:
    minutes = max(1, lockout_seconds() // 60)
    return AccountError(
        AccountErrorCode.LOCKED_OUT,
        ngettext(
            "Too many failed sign-ins. Try again in %(minutes)d minute.",
            "Too many failed sign-ins. Try again in %(minutes)d minutes.",
            minutes,
        )
        % {"minutes": minutes},
        status_code=429,
        retry_after=lockout_seconds(),
    )


def sign_in_event_record(
    *, request: HttpRequest, outcome: SignInOutcome, login: str, user: User | None, channel: str
) -> SignInEvent:
    """Keep one sign-in attempt, with keyed hashes instead of the login and the address.

    ``login_ref`` is the lockout's counter key: the account's pseudonym when the login reaches
    one (however it was spelt), so detection groups failures by account too.
    """
    event = SignInEvent.objects.create(
        outcome=outcome,
        user=user,
        login_ref=attempt_ref(login, request),
        client_ref=client_ref(client_address(request)),
        channel=channel,
    )
    security_log.info(
        "sign-in attempt",
        extra={
            "event": f"signin_{outcome}",
            "user_id": str(user.pk) if user else "",
            "client_ref": event.client_ref[:16],
            "channel": channel,
        },
    )
    return event


def sign_in_check(
    *,
    request: HttpRequest,
    login: str,
    password: str,
    otp: str | None = None,
    channel: str = "web",
    kind: AccountKind = AccountKind.CUSTOMER,
) -> User:
    """Return the account for these credentials, or raise why not (the same for unknown logins).

    Failures are counted per account (whichever spelling of its username or email was typed;
    an unknown login by its normalised form) and per client address by django-axes; a locked
    account answers the same whether it exists or not. An account of another ``kind`` (a staff
    account at the storefront, a customer at the back office) fails like a wrong password.
    """
    login = (login or "").strip()
    user = authenticate(request, login=login, password=password or "")
    if user is not None and user.kind != kind:
        user_login_failed.send(sender=__name__, credentials={"login": login}, request=request)
        user = None
    if getattr(request, "axes_locked_out", False):
        sign_in_event_record(
            request=request,
            outcome=SignInOutcome.LOCKED_OUT,
            login=login,
            user=None,
            channel=channel,
        )
        if kind == AccountKind.CUSTOMER:  # the staff sign-in records its own lockouts
            audit_record(
                actor=None,
                action=AccountAuditAction.CUSTOMER_LOCKED_OUT,
                reason=f"login_ref {attempt_ref(login, request)}",
                client_ref=client_ref(client_address(request)),
            )
        raise _locked_out_error()
    if user is None:
        sign_in_event_record(
            request=request, outcome=SignInOutcome.FAILURE, login=login, user=None, channel=channel
        )
        raise AccountError(
            AccountErrorCode.INVALID_CREDENTIALS,
            _("The login or the password is not right."),
            status_code=401,
        )
    if TwoFactorDevice.objects.filter(user=user, confirmed_at__isnull=False).exists():
        if not otp:
            raise AccountError(
                AccountErrorCode.TWO_FACTOR_REQUIRED,
                _("Enter the code from your authenticator app."),
                status_code=401,
            )
        if not two_factor_check(user=user, code=otp):
            user_login_failed.send(sender=__name__, credentials={"login": login}, request=request)
            sign_in_event_record(
                request=request,
                outcome=SignInOutcome.TWO_FACTOR_FAILURE,
                login=login,
                user=user,
                channel=channel,
            )
            raise AccountError(
                AccountErrorCode.TWO_FACTOR_INVALID,
                _("That code is not right. Try the newest code, or a recovery code."),
                status_code=401,
            )
    sign_in_event_record(
        request=request, outcome=SignInOutcome.SUCCESS, login=login, user=user, channel=channel
    )
    forget_failures_of(user)
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])
    from lumeire.privacy.erasure import erasure_cancel_on_sign_in  # privacy imports accounts

    erasure_cancel_on_sign_in(user)
    return user


def api_token_issue(*, user: User) -> IssuedToken:
    """Create a bearer token valid for the configured lifetime (30 days)."""
    raw = "lum_" + new_secret()
    token = ApiToken.objects.create(
        user=user,
        token_hash=secret_hash(raw),
        expires_at=timezone.now() + settings.LUMEIRE_API_TOKEN_LIFETIME,
    )
    return IssuedToken(raw=raw, token=token)


def api_token_revoke(*, user: User, token_id: object) -> bool:
    """Revoke one of the account's tokens; False when it has no such live token."""
    return (
        ApiToken.objects.filter(user=user, id=token_id, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        > 0
    )


def api_tokens_revoke_all(*, user: User) -> int:
    """Revoke every token of the account (password reset, erasure)."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
