"""Opening staff accounts: only from the command line, never by turning a customer into staff."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lumeire.accounts.models import AccountKind, User
from lumeire.accounts.validators import validate_username
from lumeire.backoffice.errors import StaffError, StaffErrorCode

logger = logging.getLogger(__name__)

# Created by migration backoffice 0001; the name is what create_staff --group takes.
CATALOGUE_MANAGER = "Catalogue manager"


def _refused(errors: dict[str, list[str]]) -> StaffError:
    return StaffError(
        StaffErrorCode.INVALID_INPUT,
        _("The staff account was not created."),
        field_errors=errors,
    )


def _index_taken(field: str, value: str) -> bool:
    index = User._meta.get_field(field).index_of(value)
    return User.objects.filter(**{field: index}).exists()


def staff_create(*, username: str, email: str, password: str, groups: Iterable[str] = ()) -> User:
    """Open a staff account in the named groups; any wrong input creates nothing at all."""
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
    except IntegrityError:
        # Another account took the username or email between the check and the save.
        raise _refused(
            {"username": [_("This username or email was taken a moment ago. Try again.")]}
        ) from None
    logger.info("staff account created", extra={"user_id": str(candidate.pk)})
    return candidate
