"""Opening a customer account with exactly what the policy lists, and nothing more."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lumeire.accounts.audit_actions import AccountAuditAction
from lumeire.accounts.emails import email_user, send_account_email, site_url
from lumeire.accounts.errors import AccountError, AccountErrorCode
from lumeire.accounts.models import (
    AccountKind,
    Customer,
    EmailChange,
    SignupConflict,
    SignupConflictKind,
    User,
)
from lumeire.accounts.pseudonyms import client_ref
from lumeire.accounts.recovery_questions import RecoveryQuestion
from lumeire.accounts.validators import (
    validate_date_of_birth,
    validate_recovery_answer,
    validate_username,
)
from lumeire.audit.services import audit_record
from lumeire.core.identity import parse_identity_number
from lumeire.core.tokens import new_secret, secret_hash
from lumeire.privacy.models import PolicyAcceptance
from lumeire.privacy.selectors import current_policy_version

logger = logging.getLogger(__name__)

EMAIL_CONFIRMATION_LIFETIME = timedelta(days=2)


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


@dataclass(frozen=True)
class SignUpOutcome:
    """``user`` is None when the email or identity number was taken; interfaces answer alike."""

    user: User | None


def _field_errors(data: SignUpData) -> tuple[dict[str, list[str]], dict[str, object]]:
    """Check every field; return the errors by field and the cleaned values."""
    errors: dict[str, list[str]] = {}
    clean: dict[str, object] = {}

    def check(field: str, run) -> None:
        try:
            clean[field] = run()
        except ValidationError as error:
            errors.setdefault(field, []).extend(error.messages)

    username = (data.username or "").strip()
    email = (data.email or "").strip()
    check("username", lambda: validate_username(username) or username)
    check("email", lambda: validate_email(email) or email)
    full_name = " ".join((data.full_name or "").split())
    if not full_name:
        errors["full_name"] = [_("Enter your full name.")]
    elif len(full_name) > 150:
        errors["full_name"] = [_("A name can have at most 150 characters.")]
    else:
        clean["full_name"] = full_name
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
        clean["policy"] = current
    return errors, clean


def _record_conflicts(
    *,
    email_owner: User | None,
    identity_owner: User | None,
    email_ref: str,
    identity_ref: str,
    address: str | None,
) -> None:
    address_ref = client_ref(address)
    if email_owner is not None:
        _conflict_record(
            SignupConflict.objects.create(
                kind=SignupConflictKind.EMAIL,
                existing_user=email_owner,
                index_ref=email_ref,
                client_ref=address_ref,
            ),
            "email",
        )
        email_user(email_owner, "signup_attempt_email")
    if identity_owner is not None:
        _conflict_record(
            SignupConflict.objects.create(
                kind=SignupConflictKind.IDENTITY_NUMBER,
                existing_user=identity_owner,
                index_ref=identity_ref,
                client_ref=address_ref,
            ),
            "identity_number",
        )
        if identity_owner != email_owner:
            email_user(identity_owner, "signup_attempt_identity")


def _conflict_record(conflict: SignupConflict, field: str) -> None:
    """Audit a sign-up that met an existing account: the field's name, never its value."""
    audit_record(
        actor=None,
        action=AccountAuditAction.SIGNUP_CONFLICT,
        target_type="accounts.signupconflict",
        target_id=str(conflict.pk),
        subject_id=conflict.existing_user_id,
        fields=[field],
        client_ref=conflict.client_ref,
    )


def _identity_owner(identity_ref: str) -> User | None:
    holder = Customer.objects.filter(identity_index=identity_ref).select_related("user").first()
    return holder.user if holder else None


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


def customer_sign_up(*, data: SignUpData, client_address: str | None = None) -> SignUpOutcome:
    """Open a customer account, or quietly record a conflict when the email or ID is taken.

    A taken email or identity number gets the same answer as a new account (check your email),
    so sign-up cannot be used to learn who is a customer; the existing owner is told by email.
    """
    errors, clean = _field_errors(data)
    if errors:
        raise AccountError(
            AccountErrorCode.INVALID_INPUT,
            _("Some fields need your attention."),
            field_errors=errors,
        )
    username_field = User._meta.get_field("username_index")
    if User.objects.filter(username_index=username_field.index_of(clean["username"])).exists():
        raise AccountError(
            AccountErrorCode.INVALID_INPUT,
            _("Some fields need your attention."),
            field_errors={"username": [_("This username is taken. Choose another one.")]},
        )
    email_ref = User._meta.get_field("email_index").index_of(clean["email"])
    identity_ref = Customer._meta.get_field("identity_index").index_of(clean["identity_number"])
    password_hash = make_password(data.password)
    answer_hash = make_password(clean["recovery_answer"])
    email_owner = User.objects.filter(email_index=email_ref).first()
    identity_owner = _identity_owner(identity_ref)
    if email_owner is None and identity_owner is None:
        try:
            with transaction.atomic():
                user = User(
                    kind=AccountKind.CUSTOMER,
                    username=clean["username"],
                    email=clean["email"],
                    language=data.language if data.language in ("en", "ar") else "en",
                    password=password_hash,
                    password_changed_at=timezone.now(),
                )
                user.save()
                Customer.objects.create(
                    user=user,
                    full_name=clean["full_name"],
                    date_of_birth=clean["date_of_birth"],
                    identity_number=clean["identity_number"],
                    recovery_question=clean["recovery_question"],
                    recovery_answer_hash=answer_hash,
                )
                PolicyAcceptance.objects.create(user=user, version=clean["policy"])
        except IntegrityError:
            # Another sign-up took the same email, identity number or username a moment ago.
            email_owner = User.objects.filter(email_index=email_ref).first()
            identity_owner = _identity_owner(identity_ref)
            if email_owner is None and identity_owner is None:
                raise AccountError(
                    AccountErrorCode.INVALID_INPUT,
                    _("Some fields need your attention."),
                    field_errors={"username": [_("This username is taken. Choose another one.")]},
                ) from None
        else:
            email_confirmation_send(user=user, address=clean["email"])
            logger.info("customer signed up", extra={"user_id": str(user.pk)})
            return SignUpOutcome(user=user)
    _record_conflicts(
        email_owner=email_owner,
        identity_owner=identity_owner,
        email_ref=email_ref,
        identity_ref=identity_ref,
        address=client_address,
    )
    logger.info("sign-up conflict recorded")
    return SignUpOutcome(user=None)
