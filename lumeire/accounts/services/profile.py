"""A customer changing their own account: each change checked, confirmed and notified."""

from __future__ import annotations

import logging
from datetime import date

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from lumeire.accounts.emails import email_user, send_account_email
from lumeire.accounts.errors import AccountError, AccountErrorCode
from lumeire.accounts.models import Customer, EmailChange, TakenDetailKind, User
from lumeire.accounts.normalization import canonical_username
from lumeire.accounts.pseudonyms import client_ref
from lumeire.accounts.recovery_questions import RecoveryQuestion
from lumeire.accounts.services.current_password import require_current_password
from lumeire.accounts.services.signin import api_tokens_revoke_all
from lumeire.accounts.services.signup import email_confirmation_send
from lumeire.accounts.services.taken_details import taken_details_record
from lumeire.accounts.validators import (
    clean_account_email,
    clean_person_name,
    validate_date_of_birth,
    validate_recovery_answer,
    validate_username,
)
from lumeire.core.client import client_address

logger = logging.getLogger(__name__)
security_log = logging.getLogger("lumeire.security")


def _client_ref_of(request: HttpRequest | None) -> str:
    return client_ref(client_address(request)) if request is not None else ""


def _invalid(field: str, messages: list[str]) -> AccountError:
    return AccountError(
        AccountErrorCode.INVALID_INPUT,
        _("Some fields need your attention."),
        field_errors={field: messages},
    )


@transaction.atomic
def customer_profile_update(
    *, actor: User, full_name: str | None = None, date_of_birth: date | None = None
) -> Customer:
    """Change the name and/or the date of birth; nothing is saved when either is wrong."""
    customer = Customer.objects.select_for_update().get(user=actor)
    errors: dict[str, list[str]] = {}
    if full_name is not None:
        try:
            full_name = clean_person_name(full_name)
        except ValidationError as problem:
            errors["full_name"] = problem.messages
    if date_of_birth is not None:
        try:
            validate_date_of_birth(date_of_birth, today=timezone.localdate())
        except ValidationError as problem:
            errors["date_of_birth"] = problem.messages
    if errors:
        raise AccountError(
            AccountErrorCode.INVALID_INPUT,
            _("Some fields need your attention."),
            field_errors=errors,
        )
    if full_name is not None:
        customer.full_name = full_name
    if date_of_birth is not None:
        customer.date_of_birth = date_of_birth
    customer.save()
    return customer


def password_change(
    *, actor: User, current_password: str, new_password: str, request: HttpRequest | None = None
) -> None:
    """Change the password (current one needed); other sessions and API tokens end."""
    require_current_password(actor, current_password, request=request)
    try:
        validate_password(new_password or "", user=actor)
    except ValidationError as problem:
        raise _invalid("new_password", problem.messages) from None
    with transaction.atomic():
        actor.set_password(new_password)
        actor.password_changed_at = timezone.now()
        actor.save(update_fields=["password", "password_changed_at"])
        api_tokens_revoke_all(user=actor)
    email_user(actor, "password_changed")
    security_log.info(
        "password changed", extra={"event": "password_changed", "user_id": str(actor.pk)}
    )


def email_change_request(
    *, actor: User, current_password: str, new_email: str, request: HttpRequest | None = None
) -> None:
    """Send a confirmation link to the new address and a notice to the old one.

    The address changes only when the link is opened. A new address that another account
    holds gets a notice instead, and the answer is the same; the attempt is recorded and
    audited (several in an hour raise a ``details_probing`` signal).
    """
    require_current_password(actor, current_password, request=request)
    try:
        new_email = clean_account_email(new_email)
    except ValidationError as problem:
        raise _invalid("new_email", problem.messages) from None
    email_user(actor, "email_change_requested")
    holder = User.objects.filter(
        email_index=User._meta.get_field("email_index").index_of(new_email)
    ).first()
    if holder is not None:
        if holder != actor:
            taken_details_record(
                kind=TakenDetailKind.EMAIL_CHANGE,
                holder=holder,
                requested_by=actor,
                client_ref=_client_ref_of(request),
            )
        send_account_email(to=new_email, language=actor.language, template="email_in_use")
        return
    email_confirmation_send(user=actor, address=new_email)


@transaction.atomic
def email_change_confirm(*, token_ref: str) -> User:
    """Make a confirmed address the account's email.

    ``token_ref`` is the hash of the link's token (``secret_hash``), as the page keeps it.
    """
    change = (
        EmailChange.objects.select_for_update()
        .select_related("user")
        .filter(token_hash=token_ref or "", confirmed_at__isnull=True)
        .first()
    )
    if change is None or change.is_expired():
        raise AccountError(
            AccountErrorCode.INVALID_INPUT,
            _("This confirmation link is not valid any more."),
            status_code=404,
        )
    user = change.user
    now = timezone.now()
    if user.email != change.new_email:
        user.email = change.new_email
    user.email_verified_at = now
    try:
        with transaction.atomic():
            user.save(update_fields=["email", "email_index", "email_verified_at"])
    except IntegrityError:
        raise AccountError(
            AccountErrorCode.INVALID_INPUT,
            _("This address now belongs to another account."),
            status_code=409,
        ) from None
    change.confirmed_at = now
    change.save(update_fields=["confirmed_at"])
    return user


def recovery_question_change(
    *,
    actor: User,
    current_password: str,
    question: str,
    answer: str,
    request: HttpRequest | None = None,
) -> None:
    """Replace the recovery question and answer (current password needed); notify by email."""
    require_current_password(actor, current_password, request=request)
    if question not in RecoveryQuestion.values:
        raise _invalid("recovery_question", [_("Choose one of the recovery questions.")])
    try:
        normalised = validate_recovery_answer(
            answer or "", forbidden=(actor.get_username(), str(actor.email), current_password)
        )
    except ValidationError as problem:
        raise _invalid("recovery_answer", problem.messages) from None
    with transaction.atomic():
        customer = Customer.objects.select_for_update().get(user=actor)
        customer.recovery_question = question
        customer.recovery_answer_hash = make_password(normalised)
        customer.save()
    email_user(actor, "recovery_question_changed")


def username_change(
    *,
    actor: User,
    current_password: str,
    username: str,
    request: HttpRequest | None = None,
) -> None:
    """Replace the username (current password needed); it stays unique; notify by email.

    The sign-up rules apply (3 to 30 Latin or Arabic letters, digits, dots, hyphens or
    underscores). The blind index is worked out again on save, so the new name signs in and the
    old one no longer does. A taken name is said (it is no personal value) and recorded, so
    repeated tries raise a ``details_probing`` signal.
    """
    require_current_password(actor, current_password, request=request)
    username = canonical_username(username or "")
    try:
        validate_username(username)
    except ValidationError as problem:
        raise _invalid("username", problem.messages) from None
    index = User._meta.get_field("username_index").index_of(username)
    taken = [_("This username is taken. Choose another one.")]
    if User.objects.filter(username_index=index).exclude(pk=actor.pk).exists():
        taken_details_record(
            kind=TakenDetailKind.USERNAME_CHANGE,
            holder=None,
            requested_by=actor,
            client_ref=_client_ref_of(request),
        )
        raise _invalid("username", taken)
    try:
        with transaction.atomic():
            user = User.objects.select_for_update().get(pk=actor.pk)
            user.username = username
            user.save(update_fields=["username", "username_index"])
    except IntegrityError:  # another account took the name a moment ago
        raise _invalid("username", taken) from None
    actor.username = username
    actor.username_index = user.username_index
    email_user(actor, "username_changed")
    security_log.info(
        "username changed", extra={"event": "username_changed", "user_id": str(actor.pk)}
    )


def account_language_change(*, actor: User, language: str) -> User:
    """Choose the language of the store's emails (and of a data export asked by the API)."""
    if language not in dict(settings.LANGUAGES):
        raise _invalid("language", [_("Choose one of the languages the store is written in.")])
    User.objects.filter(pk=actor.pk).update(language=language)
    actor.language = language
    return actor
