"""Staff accounts: opening them (never from a customer account) and signing in with two factors.

Every staff sign-in, failure and lockout is written to the audit log with the client's keyed
address hash; the login as typed is never kept, only its keyed hash (``login_ref``) in the
reason, so repeated attempts on one login can be told apart without knowing it.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from lumeire.accounts.errors import AccountError, AccountErrorCode
from lumeire.accounts.models import AccountKind, TwoFactorDevice, User
from lumeire.accounts.pseudonyms import client_ref, login_ref
from lumeire.accounts.services.signin import sign_in_check
from lumeire.accounts.services.two_factor import (
    Enrolment,
    two_factor_begin,
    two_factor_confirm,
)
from lumeire.accounts.validators import validate_username
from lumeire.audit.services import audit_record
from lumeire.core.client import client_address
from lumeire.staff.access import GROUP_OF_ROLE
from lumeire.staff.audit_actions import StaffAuditAction
from lumeire.staff.errors import StaffError, StaffErrorCode
from lumeire.staff.models import ExportedCustomer

logger = logging.getLogger(__name__)

# Back office sign-ins are counted apart from the storefront's (SignInEvent.channel: 8 chars).
SIGN_IN_CHANNEL = "staff"
ROLE_NAMES: tuple[str, ...] = tuple(GROUP_OF_ROLE.values())


@dataclass(frozen=True)
class StaffSignIn:
    """A right password (and code, once enrolled); ``needs_enrolment`` until a device exists."""

    user: User
    needs_enrolment: bool


def _refused(errors: dict[str, list[str]]) -> StaffError:
    return StaffError(
        StaffErrorCode.INVALID_INPUT,
        _("The staff account was not created."),
        field_errors=errors,
    )


def _index_taken(field: str, value: str) -> bool:
    index = User._meta.get_field(field).index_of(value)
    return User.objects.filter(**{field: index}).exists()


def staff_create(
    *,
    username: str,
    email: str,
    password: str,
    groups: Iterable[str] = (),
    actor: User | None = None,
) -> User:
    """Open a staff account in the named groups; any wrong input creates nothing at all.

    The roles given are recorded in the audit log (ROLES_CHANGED) in the same transaction.
    ``actor`` is None when the system (``manage.py create_staff``, the demo) opens it.
    """
    username = (username or "").strip()
    email = (email or "").strip()
    names = list(dict.fromkeys(name.strip() for name in groups if name and name.strip()))
    errors: dict[str, list[str]] = {}
    try:
        validate_username(username)
    except ValidationError as problem:
        errors["username"] = problem.messages
    else:
        if _index_taken("username_index", username):
            errors["username"] = [_("This username is taken. Choose another one.")]
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = [_("Enter a valid email address.")]
    else:
        if _index_taken("email_index", email):
            errors["email"] = [_("Another account already uses this email address.")]
    found = {group.name: group for group in Group.objects.filter(name__in=names)}
    missing = [name for name in names if name not in found]
    if missing:
        errors["groups"] = [_("No group is named %(name)s.") % {"name": name} for name in missing]
    candidate = User(kind=AccountKind.STAFF, username=username, email=email)
    if not password:
        errors["password"] = [_("Choose a password.")]
    else:
        try:
            validate_password(password, user=candidate)
        except ValidationError as problem:
            errors["password"] = problem.messages
    if errors:
        raise _refused(errors)
    try:
        with transaction.atomic():
            candidate.set_password(password)
            candidate.password_changed_at = timezone.now()
            candidate.save()
            candidate.groups.set([found[name] for name in names])
            audit_record(
                actor=actor,
                action=StaffAuditAction.ROLES_CHANGED,
                target_type="accounts.user",
                target_id=str(candidate.pk),
                fields=["groups"],
                reason=", ".join(names),
            )
    except IntegrityError:
        # Another account took the username or email between the check and the save.
        raise _refused(
            {"username": [_("This username or email was taken a moment ago. Try again.")]}
        ) from None
    logger.info("staff account created", extra={"user_id": str(candidate.pk)})
    return candidate


def _client(request: HttpRequest) -> str:
    return client_ref(client_address(request))


def _failure_record(request: HttpRequest, login: str, error: AccountError) -> None:
    """One audit entry per refused attempt; a wrong code names the account, a wrong password not."""
    ref = login_ref(login)
    if error.code == AccountErrorCode.LOCKED_OUT:
        audit_record(
            actor=None,
            action=StaffAuditAction.STAFF_LOCKED_OUT,
            reason=f"login_ref {ref}",
            client_ref=_client(request),
        )
        return
    cause = "code" if error.code == AccountErrorCode.TWO_FACTOR_INVALID else "credentials"
    audit_record(
        actor=None,
        action=StaffAuditAction.STAFF_SIGN_IN_FAILED,
        reason=f"{cause}; login_ref {ref}",
        client_ref=_client(request),
    )


def staff_sign_in(
    *, request: HttpRequest, login: str, password: str, code: str | None = None
) -> StaffSignIn:
    """Check a staff member's password and one-time code; customers fail like a wrong password.

    A staff member without a confirmed device gets ``needs_enrolment`` (the back office then
    allows nothing but enrolment); one with a device must give a current or recovery code.
    Lockouts are django-axes', shared with the storefront through ``sign_in_check``.
    """
    try:
        user = sign_in_check(
            request=request,
            login=login,
            password=password,
            otp=code or None,
            channel=SIGN_IN_CHANNEL,
            kind=AccountKind.STAFF,
        )
    except AccountError as error:
        if error.code != AccountErrorCode.TWO_FACTOR_REQUIRED:
            _failure_record(request, login, error)
        raise
    enrolled = TwoFactorDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()
    if enrolled:
        staff_sign_in_record(request=request, user=user)
    return StaffSignIn(user=user, needs_enrolment=not enrolled)


def staff_sign_in_record(*, request: HttpRequest, user: User) -> None:
    """Record a completed staff sign-in (both factors)."""
    audit_record(
        actor=user,
        action=StaffAuditAction.STAFF_SIGN_IN,
        target_type="accounts.user",
        target_id=str(user.pk),
        client_ref=_client(request),
    )


def staff_enrolment_begin(*, user: User) -> Enrolment:
    """A fresh secret for a staff member's first device (the accounts service makes it)."""
    return two_factor_begin(actor=user)


def staff_enrolment_confirm(*, request: HttpRequest, user: User, code: str) -> list[str]:
    """Confirm the first device with a code; the sign-in completes and is recorded with it."""
    with transaction.atomic():
        codes = two_factor_confirm(actor=user, code=code)
        staff_sign_in_record(request=request, user=user)
    return codes


def reveal_record(
    *,
    actor: User,
    target_type: str,
    target_id: str,
    subject_id,
    fields: Iterable[str],
    reason_category: str,
    reason: str,
    client: str,
) -> None:
    """Record that a staff member saw personal values in clear, with the reason they gave.

    Call it inside the transaction that reads the values, so a failed read leaves no record.
    """
    audit_record(
        actor=actor,
        action=StaffAuditAction.REVEAL,
        target_type=target_type,
        target_id=target_id,
        subject_id=subject_id,
        fields=list(dict.fromkeys(fields)),
        reason_category=reason_category,
        reason=reason,
        client_ref=client,
    )


def export_record(
    *,
    actor: User,
    target_type: str,
    fields: Iterable[str],
    reason_category: str,
    reason: str,
    client: str,
    subjects: Iterable[uuid.UUID] = (),
) -> None:
    """Record that a staff member exported a list; ``fields`` names the columns sent in clear,
    ``subjects`` the customers whose values they were (each one's "who looked" lists it).

    Call it inside the transaction that reads the rows, so a failed export leaves no record.
    """
    entry = audit_record(
        actor=actor,
        action=StaffAuditAction.EXPORT,
        target_type=target_type,
        fields=list(fields),
        reason_category=reason_category,
        reason=reason,
        client_ref=client,
    )
    ExportedCustomer.objects.bulk_create(
        [
            ExportedCustomer(export_entry_id=entry.pk, subject_id=subject)
            for subject in sorted(set(subjects), key=str)
        ],
        batch_size=1000,
    )


@transaction.atomic
def reveal_refused_record(
    *, actor: User, target_type: str, target_id: str, subject_id, fields: Iterable[str], client: str
) -> None:
    """Record a reveal the actor's roles do not allow (a forged request: no link was shown)."""
    audit_record(
        actor=actor,
        action=StaffAuditAction.REVEAL_REFUSED,
        target_type=target_type,
        target_id=target_id,
        subject_id=subject_id,
        fields=sorted(set(fields)),
        client_ref=client,
    )
