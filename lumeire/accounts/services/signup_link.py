"""Opening an account from its emailed sign-up link.

Only the holder of the mailbox gets here, so this is where a taken username or identity number
is said: a taken username can be replaced on the spot (the link stays valid), a taken identity
number ends the sign-up, is audited, and its holder is told by email.
"""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lumeire.accounts.errors import AccountError, AccountErrorCode
from lumeire.accounts.models import (
    AccountKind,
    Customer,
    PendingSignUp,
    TakenDetailKind,
    User,
)
from lumeire.accounts.normalization import canonical_username
from lumeire.accounts.pseudonyms import client_ref
from lumeire.accounts.services.signup import invalid_input
from lumeire.accounts.services.taken_details import taken_details_record
from lumeire.accounts.validators import validate_username
from lumeire.privacy.services import policy_accept

logger = logging.getLogger(__name__)
security_log = logging.getLogger("lumeire.security")


def _link_invalid() -> AccountError:
    return AccountError(
        AccountErrorCode.LINK_INVALID,
        _("This sign-up link is not valid any more. Sign up again to get a new one."),
        status_code=404,
    )


def sign_up_link_open(*, token_ref: str) -> PendingSignUp:
    """The pending sign-up of a link that still works, or a refusal (404).

    ``token_ref`` is the stored hash of the link's token (``secret_hash``): pages keep that in
    the session, never the token itself.
    """
    pending = PendingSignUp.objects.filter(
        token_hash=token_ref or "", expires_at__gt=timezone.now()
    ).first()
    if pending is None:
        raise _link_invalid()
    return pending


def _username_taken() -> AccountError:
    return invalid_input({"username": [_("This username is taken. Choose another one.")]})


def _open_account(pending: PendingSignUp, username: str) -> User:
    now = timezone.now()
    user = User(
        id=pending.account_id,
        kind=AccountKind.CUSTOMER,
        username=username,
        email=pending.email,
        language=pending.language,
        password=pending.password_hash,
        password_changed_at=now,
        email_verified_at=now,  # the link reached this mailbox
        date_joined=now,
    )
    user.save(force_insert=True)
    Customer.objects.create(
        user=user,
        full_name=pending.full_name,
        date_of_birth=pending.date_of_birth,
        identity_number=pending.identity_number,
        recovery_question=pending.recovery_question,
        recovery_answer_hash=pending.recovery_answer_hash,
    )
    policy_accept(
        actor=user, version=pending.accepted_policy_version, client_ref=pending.client_ref
    )
    return user


def sign_up_complete(
    *, token_ref: str, username: str | None = None, client_address: str | None = None
) -> User:
    """Open the account of a pending sign-up; sign nobody in.

    ``username`` replaces the one typed at sign-up (when that one was taken meanwhile). Refuses
    with a field error when the username is taken (the link stays valid), and with 409 when the
    email or the identity number already belongs to an account (the link is used up; a taken
    identity number is audited and its holder emailed).
    """
    failure: AccountError | None = None
    with transaction.atomic():
        pending = (
            PendingSignUp.objects.select_for_update()
            .filter(token_hash=token_ref or "", expires_at__gt=timezone.now())
            .first()
        )
        if pending is None:
            raise _link_invalid()
        asker = client_ref(client_address) or pending.client_ref
        chosen = canonical_username(pending.username if username is None else username)
        try:
            validate_username(chosen)
        except ValidationError as problem:
            raise invalid_input({"username": problem.messages}) from None
        email_ref = User._meta.get_field("email_index").index_of(pending.email)
        identity_ref = Customer._meta.get_field("identity_index").index_of(pending.identity_number)
        username_ref = User._meta.get_field("username_index").index_of(chosen)
        identity_holder = (
            Customer.objects.filter(identity_index=identity_ref).select_related("user").first()
        )
        if User.objects.filter(email_index=email_ref).exists():
            pending.delete()
            failure = AccountError(
                AccountErrorCode.DETAILS_TAKEN,
                _(
                    "This email address already has an account. Sign in, or use “Forgot "
                    "password” if you cannot remember the password."
                ),
                status_code=409,
            )
        elif identity_holder is not None:
            pending.delete()
            taken_details_record(
                kind=TakenDetailKind.SIGN_UP_IDENTITY_NUMBER,
                holder=identity_holder.user,
                client_ref=asker,
                index_ref=identity_ref,
            )
            failure = AccountError(
                AccountErrorCode.DETAILS_TAKEN,
                _(
                    "This national ID or residence number (iqama) already belongs to an account, "
                    "so no new account "
                    "was opened. If the number is yours, contact us."
                ),
                status_code=409,
            )
        elif User.objects.filter(username_index=username_ref).exists():
            taken_details_record(
                kind=TakenDetailKind.SIGN_UP_USERNAME, holder=None, client_ref=asker
            )
            failure = _username_taken()
        else:
            try:
                with transaction.atomic():
                    user = _open_account(pending, chosen)
            except IntegrityError:
                # Another account took the username (or a value) a moment ago: ask again.
                failure = _username_taken()
            else:
                pending.delete()
    if failure is not None:
        raise failure  # after commit, so the records of the attempt are kept
    security_log.info(
        "customer account opened", extra={"event": "signed_up", "user_id": str(user.pk)}
    )
    return user
