"""Asking for a customer account: checked, kept sealed, and opened only from the emailed link.

Every accepted sign-up gets the same answer, costs the request the same work, and brings exactly
one email to the address typed, sent by a background follow-up: a free address gets a one-time
link that opens the account (``sign_up_complete``); an address that already has an account gets
a notice to its owner instead. Whether the username or identity
number is taken is told only on the link's page, to whoever holds the mailbox. So nothing the
answer says, in any order of checks, tells whether an email, username or identity number is
registered.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lumeire.accounts.emails import send_account_email, site_url
from lumeire.accounts.errors import AccountError, AccountErrorCode
from lumeire.accounts.models import (
    SIGN_UP_LINK_LIFETIME,
    AccountKind,
    EmailChange,
    PendingSignUp,
    TakenDetailKind,
    User,
)
from lumeire.accounts.normalization import canonical_username
from lumeire.accounts.pseudonyms import client_ref
from lumeire.accounts.recovery_questions import RecoveryQuestion
from lumeire.accounts.services.taken_details import taken_details_record
from lumeire.accounts.tasks import sign_up_follow_up
from lumeire.accounts.validators import (
    clean_account_email,
    clean_person_name,
    validate_date_of_birth,
    validate_recovery_answer,
    validate_username,
)
from lumeire.core.identity import parse_identity_number
from lumeire.core.ratelimit import allow
from lumeire.core.tokens import new_secret, secret_hash
from lumeire.privacy.selectors import current_policy_version
from lumeire.vault.blind_index import blind_index

logger = logging.getLogger(__name__)

EMAIL_CONFIRMATION_LIFETIME = timedelta(days=2)
LANGUAGES = ("en", "ar")


@dataclass(frozen=True)
class SignUpData:
    """What a person types to open an account (raw, as received)."""

    username: str
    email: str
    password: str
    full_name: str
    date_of_birth: date | None
    identity_number: str
    recovery_question: str
    recovery_answer: str
    accepted_policy_version: int | None
    language: str = "en"


def invalid_input(errors: dict[str, list[str]]) -> AccountError:
    """The refusal of a form with errors on its fields."""
    return AccountError(
        AccountErrorCode.INVALID_INPUT, _("Some fields need your attention."), field_errors=errors
    )


def _field_errors(data: SignUpData) -> tuple[dict[str, list[str]], dict[str, object]]:
    """Check every field's form (never whether a value is taken); return errors and values."""
    errors: dict[str, list[str]] = {}
    clean: dict[str, object] = {}

    def check(field: str, run) -> None:
        try:
            clean[field] = run()
        except ValidationError as error:
            errors.setdefault(field, []).extend(error.messages)

    username = canonical_username(data.username or "")
    email = (data.email or "").strip()
    check("username", lambda: validate_username(username) or username)
    check("email", lambda: clean_account_email(email))
    check("full_name", lambda: clean_person_name(data.full_name or ""))
    if data.date_of_birth is None:
        errors["date_of_birth"] = [_("Enter your date of birth.")]
    else:
        check(
            "date_of_birth",
            lambda: (
                validate_date_of_birth(data.date_of_birth, today=timezone.localdate())
                or data.date_of_birth
            ),
        )
    check("identity_number", lambda: parse_identity_number(data.identity_number).digits)
    if data.recovery_question not in RecoveryQuestion.values:
        errors["recovery_question"] = [_("Choose one of the recovery questions.")]
    else:
        clean["recovery_question"] = data.recovery_question
    check(
        "recovery_answer",
        lambda: validate_recovery_answer(
            data.recovery_answer or "", forbidden=(username, email, data.password)
        ),
    )
    candidate = User(kind=AccountKind.CUSTOMER, username=username, email=email)
    check("password", lambda: validate_password(data.password or "", user=candidate) or True)
    if not data.password:
        errors["password"] = [_("Choose a password.")]
    current = current_policy_version()
    if current is None or data.accepted_policy_version != current.version:
        errors["accepted_policy_version"] = [
            _("Read and accept the current privacy policy to open an account.")
        ]
    else:
        clean["policy_version"] = current.version
    return errors, clean


def email_confirmation_send(*, user: User, address: str) -> None:
    """Email a link that proves ``address`` reaches its owner."""
    raw = new_secret()
    EmailChange.objects.create(
        user=user,
        new_email=address,
        token_hash=secret_hash(raw),
        expires_at=timezone.now() + EMAIL_CONFIRMATION_LIFETIME,
    )
    link = site_url(f"/{user.language}/account/email/confirm/{raw}/")
    send_account_email(
        to=address, language=user.language, template="confirm_email", context={"link": link}
    )


def customer_sign_up(*, data: SignUpData, client_address: str | None = None) -> None:
    """Check a sign-up, keep it sealed and queue its email; the caller answers the same always.

    The request does the same work whatever is taken: every field's form is checked, both
    passwords are hashed, the values are sealed into a pending sign-up and its follow-up is
    queued. Whether the email already has an account is looked at only in the follow-up
    (``sign_up_follow_up_run``), which sends either the link or a notice to the owner; a taken
    username or identity number is found when the link is opened.
    """
    errors, clean = _field_errors(data)
    if errors:
        raise invalid_input(errors)
    address_ref = client_ref(client_address)
    if not allow(
        f"signup:client:{address_ref or 'unknown'}",
        limit=settings.LUMEIRE_SIGN_UPS_PER_CLIENT_PER_HOUR,
        window_seconds=3600,
    ):
        raise AccountError(
            AccountErrorCode.RATE_LIMITED,
            _("Too many sign-ups from this network. Try again in an hour."),
            status_code=429,
            retry_after=3600,
        )
    password_hash = make_password(data.password)
    answer_hash = make_password(clean["recovery_answer"])
    # Keyed by the address typed, whoever holds it: past the limit nothing is sent, and the
    # answer is the same as ever (no mailbox is flooded, and no account is told apart).
    email_ref = blind_index("signup.email", clean["email"], normalizer="email")
    if not allow(
        f"signup:email:{email_ref}",
        limit=settings.LUMEIRE_SIGN_UPS_PER_EMAIL_PER_HOUR,
        window_seconds=3600,
    ):
        logger.warning("sign-up throttled", extra={"event": "sign_up_throttled"})
        return
    pending = PendingSignUp.objects.create(
        # A placeholder nobody holds: the link's token is made by the follow-up, once.
        token_hash=secret_hash(new_secret()),
        expires_at=timezone.now() + SIGN_UP_LINK_LIFETIME,
        username=clean["username"],
        email=clean["email"],
        full_name=clean["full_name"],
        date_of_birth=clean["date_of_birth"],
        identity_number=clean["identity_number"],
        recovery_question=clean["recovery_question"],
        password_hash=password_hash,
        recovery_answer_hash=answer_hash,
        language=data.language if data.language in LANGUAGES else "en",
        accepted_policy_version=clean["policy_version"],
        client_ref=address_ref,
    )
    sign_up_follow_up.enqueue(str(pending.pk))
    logger.info("sign-up queued")


def sign_up_follow_up_run(*, pending_id: uuid.UUID) -> str:
    """Email a pending sign-up's address: a one-time link, or, when the address already has an
    account, a notice to its owner (and the attempt is recorded). Returns what was done."""
    with transaction.atomic():
        pending = PendingSignUp.objects.select_for_update().filter(pk=pending_id).first()
        if pending is None or pending.is_expired():
            return "gone"
        email_ref = User._meta.get_field("email_index").index_of(pending.email)
        owner = User.objects.filter(email_index=email_ref).first()
        if owner is not None:
            pending.delete()
            taken_details_record(
                kind=TakenDetailKind.SIGN_UP_EMAIL,
                holder=owner,
                client_ref=pending.client_ref,
                index_ref=email_ref,
            )
            logger.info("sign-up with a registered email recorded")
            return "email_taken"
        raw = new_secret()
        pending.token_hash = secret_hash(raw)
        pending.save(update_fields=["token_hash"])
        address, language = str(pending.email), pending.language
    hours = int(SIGN_UP_LINK_LIFETIME.total_seconds() // 3600)
    send_account_email(
        to=address,
        language=language,
        template="sign_up_link",
        context={"link": site_url(f"/{language}/account/sign-up/open/{raw}/"), "hours": hours},
    )
    logger.info("sign-up link sent")
    return "link_sent"
