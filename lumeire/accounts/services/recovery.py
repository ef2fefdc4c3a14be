"""Password recovery: the emailed link first, then the recovery answer; never one alone."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import user_login_failed
from django.contrib.auth.hashers import check_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lumeire.accounts.emails import email_user, site_url
from lumeire.accounts.errors import AccountError, AccountErrorCode
from lumeire.accounts.lockout import counter_ref
from lumeire.accounts.models import RecoveryToken, SignInOutcome, User
from lumeire.accounts.normalization import normalize_recovery_answer
from lumeire.accounts.pseudonyms import client_ref
from lumeire.accounts.selectors import recovery_token_get, user_by_login
from lumeire.accounts.services.signin import api_tokens_revoke_all, sign_in_event_record
from lumeire.core.ratelimit import allow
from lumeire.core.tokens import new_secret, secret_hash

logger = logging.getLogger(__name__)
security_log = logging.getLogger("lumeire.security")

WRONG_ANSWERS_ALLOWED = 3


def password_recovery_request(*, login: str, client_address: str | None) -> None:
    """Email a one-time link when the account exists; do and say the same when it does not.

    Limited per account (``LUMEIRE_RECOVERY_PER_LOGIN_PER_HOUR``, counted against the account
    whichever spelling of its username or email was typed; an unknown login by its normalised
    form) and per client address; past a limit nothing is sent, and the caller still answers as
    if it had been.
    """
    user = user_by_login(login)
    per_account = allow(
        f"recovery:account:{counter_ref(user, login)}",
        limit=settings.LUMEIRE_RECOVERY_PER_LOGIN_PER_HOUR,
        window_seconds=3600,
    )
    per_client = allow(
        f"recovery:client:{client_ref(client_address)}",
        limit=settings.LUMEIRE_RECOVERY_PER_CLIENT_PER_HOUR,
        window_seconds=3600,
    )
    if not (per_account and per_client):
        security_log.warning("password recovery throttled", extra={"event": "recovery_throttled"})
        return
    if user is None or not user.is_active or not hasattr(user, "customer"):
        return
    raw = new_secret()
    RecoveryToken.objects.create(
        user=user,
        token_hash=secret_hash(raw),
        expires_at=timezone.now() + settings.LUMEIRE_RECOVERY_LINK_LIFETIME,
    )
    minutes = int(settings.LUMEIRE_RECOVERY_LINK_LIFETIME.total_seconds() // 60)
    email_user(
        user,
        "recovery_link",
        {"link": site_url(f"/{user.language}/account/recover/{raw}/"), "minutes": minutes},
    )
    security_log.info(
        "password recovery requested",
        extra={"event": "recovery_requested", "user_id": str(user.pk)},
    )


def recovery_link_open(*, token_ref: str) -> RecoveryToken:
    """The recovery this link belongs to, or a refusal that tells nothing about the account.

    ``token_ref`` is the hash of the link's token (``secret_hash``): pages keep that in the
    session once the link is opened, never the token itself.
    """
    token = recovery_token_get(token_ref)
    if token is None:
        raise AccountError(
            AccountErrorCode.RECOVERY_LINK_INVALID,
            _("This recovery link is not valid any more. Ask for a new one."),
            status_code=404,
        )
    return token


def _wrong_answer(*, token: RecoveryToken, request: HttpRequest | None) -> AccountError:
    user = token.user
    token.wrong_answers += 1
    fields = ["wrong_answers"]
    if token.wrong_answers >= WRONG_ANSWERS_ALLOWED:
        token.voided_at = timezone.now()
        fields.append("voided_at")
    token.save(update_fields=fields)
    if request is not None:
        # A wrong answer counts as a failed sign-in for the lockout.
        user_login_failed.send(
            sender=__name__, credentials={"login": user.get_username()}, request=request
        )
        sign_in_event_record(
            request=request,
            outcome=SignInOutcome.RECOVERY_ANSWER_FAILURE,
            login=user.get_username(),
            user=user,
            channel="recovery",
        )
    if token.voided_at:
        email_user(user, "recovery_failed")
        return AccountError(
            AccountErrorCode.RECOVERY_LINK_INVALID,
            _("Too many wrong answers. This link no longer works; we emailed you about it."),
            status_code=404,
        )
    left = WRONG_ANSWERS_ALLOWED - token.wrong_answers
    message = ngettext(
        "That answer is not right. %(left)d try left.",
        "That answer is not right. %(left)d tries left.",
        left,
    ) % {"left": left}
    return AccountError(
        AccountErrorCode.RECOVERY_ANSWER_WRONG,
        message,
        field_errors={"recovery_answer": [message]},
    )


def password_recovery_complete(
    *, token_ref: str, recovery_answer: str, new_password: str, request: HttpRequest | None = None
) -> User:
    """Set a new password when both the link and the answer are right; sign nobody in.

    Ends every other session (the password hash changes) and API token, and emails the owner.
    """
    with transaction.atomic():
        token = recovery_link_open(token_ref=token_ref)
        token = (
            # Lock the token row only: PostgreSQL refuses FOR UPDATE on the outer-joined customer.
            RecoveryToken.objects.select_for_update(of=("self",))
            .select_related("user__customer")
            .get(pk=token.pk)
        )
        user = token.user
        answer = normalize_recovery_answer(recovery_answer or "")
        if not answer or not check_password(answer, user.customer.recovery_answer_hash):
            error = _wrong_answer(token=token, request=request)
        else:
            error = None
            try:
                validate_password(new_password or "", user=user)
            except ValidationError as problem:
                raise AccountError(
                    AccountErrorCode.INVALID_INPUT,
                    _("Choose a different password."),
                    field_errors={"new_password": problem.messages},
                ) from None
            now = timezone.now()
            user.set_password(new_password)
            user.password_changed_at = now
            user.save(update_fields=["password", "password_changed_at"])
            token.used_at = now
            token.save(update_fields=["used_at"])
            RecoveryToken.objects.filter(user=user, used_at__isnull=True).update(voided_at=now)
            api_tokens_revoke_all(user=user)
    if error is not None:
        raise error  # after commit, so the counted wrong answer is kept
    email_user(user, "password_changed")
    security_log.info(
        "password reset", extra={"event": "recovery_completed", "user_id": str(user.pk)}
    )
    return user
