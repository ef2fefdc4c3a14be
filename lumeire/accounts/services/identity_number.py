"""Changing the identity number: asked with the password, confirmed from the mailbox.

The page answers every request the same way ("check your email"); the outcome goes by email to
the account's address. A number another account holds is never applied: the attempt is recorded
and audited, its holder is told, and several such attempts in an hour raise a
``details_probing`` signal.
"""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from lumeire.accounts.audit_actions import AccountAuditAction
from lumeire.accounts.emails import email_user, site_url
from lumeire.accounts.errors import AccountError, AccountErrorCode
from lumeire.accounts.models import (
    IDENTITY_NUMBER_LINK_LIFETIME,
    Customer,
    IdentityNumberChange,
    TakenDetailKind,
    User,
)
from lumeire.accounts.pseudonyms import client_ref
from lumeire.accounts.services.current_password import require_current_password
from lumeire.accounts.services.signup import invalid_input
from lumeire.accounts.services.taken_details import taken_details_record
from lumeire.audit.services import audit_record
from lumeire.core.client import client_address
from lumeire.core.identity import parse_identity_number
from lumeire.core.tokens import new_secret, secret_hash

logger = logging.getLogger(__name__)
security_log = logging.getLogger("lumeire.security")


def _holder_of(digits: str) -> User | None:
    index = Customer._meta.get_field("identity_index").index_of(digits)
    holder = Customer.objects.filter(identity_index=index).select_related("user").first()
    return holder.user if holder else None


def _address_ref(request: HttpRequest | None) -> str:
    return client_ref(client_address(request)) if request is not None else ""


def identity_number_change(
    *,
    actor: User,
    current_password: str,
    identity_number: str,
    request: HttpRequest | None = None,
) -> None:
    """Ask to replace the identity number (current password needed); the rest goes by email.

    A free number gets a confirmation link at the account's address; a number another account
    holds gets a refusal by email instead, recorded and audited. The caller answers alike.
    """
    require_current_password(actor, current_password, request=request)
    try:
        digits = parse_identity_number(identity_number).digits
    except ValidationError as problem:
        raise invalid_input({"identity_number": problem.messages}) from None
    holder = _holder_of(digits)
    if holder is not None and holder != actor:
        taken_details_record(
            kind=TakenDetailKind.IDENTITY_NUMBER_CHANGE,
            holder=holder,
            requested_by=actor,
            client_ref=_address_ref(request),
        )
        email_user(actor, "identity_number_refused")
        return
    raw = new_secret()
    IdentityNumberChange.objects.create(
        user=actor,
        new_identity_number=digits,
        token_hash=secret_hash(raw),
        expires_at=timezone.now() + IDENTITY_NUMBER_LINK_LIFETIME,
    )
    hours = int(IDENTITY_NUMBER_LINK_LIFETIME.total_seconds() // 3600)
    email_user(
        actor,
        "confirm_identity_number",
        {
            "link": site_url(f"/{actor.language}/account/identity-number/confirm/{raw}/"),
            "hours": hours,
        },
    )


def _link_invalid() -> AccountError:
    return AccountError(
        AccountErrorCode.LINK_INVALID,
        _("This confirmation link is not valid any more."),
        status_code=404,
    )


def _refused() -> AccountError:
    return AccountError(
        AccountErrorCode.DETAILS_TAKEN,
        _(
            "This national ID or residence number (iqama) belongs to another account, so it was "
            "not put on yours. If "
            "it is yours, contact us."
        ),
        status_code=409,
    )


def identity_number_change_confirm(*, token_ref: str, request: HttpRequest | None = None) -> User:
    """Apply a change confirmed from the mailbox; a number taken meanwhile is refused (409).

    ``token_ref`` is the hash of the link's token (``secret_hash``), as the page keeps it.
    """
    failure: AccountError | None = None
    with transaction.atomic():
        change = (
            IdentityNumberChange.objects.select_for_update()
            .select_related("user")
            .filter(
                token_hash=token_ref or "",
                confirmed_at__isnull=True,
                expires_at__gt=timezone.now(),
            )
            .first()
        )
        if change is None or not change.user.is_active:
            raise _link_invalid()
        user = change.user
        digits = change.new_identity_number
        now = timezone.now()
        holder = _holder_of(digits)
        if holder is not None and holder != user:
            failure = _refused()
        else:
            try:
                with transaction.atomic():
                    customer = Customer.objects.select_for_update().get(user=user)
                    customer.identity_number = digits
                    customer.save()
            except IntegrityError:  # another account took the number a moment ago
                holder, failure = _holder_of(digits), _refused()
        if failure is not None:
            taken_details_record(
                kind=TakenDetailKind.IDENTITY_NUMBER_CHANGE,
                holder=holder,
                requested_by=user,
                client_ref=_address_ref(request),
            )
        else:
            audit_record(
                actor=user,
                action=AccountAuditAction.IDENTITY_NUMBER_CHANGED,
                target_type="accounts.customer",
                target_id=str(user.pk),
                subject_id=user.pk,
                fields=["identity_number"],
                client_ref=_address_ref(request),
            )
        # Used either way, and every other waiting change of this account ends with it.
        IdentityNumberChange.objects.filter(user=user, confirmed_at__isnull=True).update(
            confirmed_at=now
        )
    if failure is not None:
        raise failure  # after commit, so the record of the attempt is kept
    email_user(user, "identity_number_changed")
    security_log.info(
        "identity number changed",
        extra={"event": "identity_number_changed", "user_id": str(user.pk)},
    )
    return user
