"""Erasure: "Delete my account", from the password check to the shredded key.

The flow is request (password) -> emailed link (single use, only its hash kept) -> a grace
period during which signing in cancels it -> ``erasure_carry_out``. Confirming the link ends
every session and API token of the account at once. Erasure destroys the customer's data key,
so every value sealed with it (profile, addresses, the addresses of old orders) becomes
unreadable at once, and records the destroyed key in the erasure journal outside the database,
so a backup restored later is brought back to the erasure by ``erasure_replay``.

What the key does not cover, each app declares next to its models' personal data
(``erasure = Erasure(...)``, see ``lumeire.vault.lifecycle``): rows kept only for the person are
deleted, records the store must keep (orders, the account tombstone they point at) are
anonymised, and so on. This module walks those declarations; it never names another app's
tables.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lumeire.accounts.emails import send_account_email, site_url
from lumeire.accounts.services import end_every_sign_in
from lumeire.audit.services import audit_record
from lumeire.core.errors import ApplicationError
from lumeire.core.tokens import new_secret, secret_hash
from lumeire.privacy.audit_actions import PrivacyAuditAction
from lumeire.privacy.models import ErasureReason, ErasureRequest, ErasureStatus
from lumeire.privacy.restore_gate import forget_store_state
from lumeire.vault.fields import is_erased
from lumeire.vault.journal import current_journal
from lumeire.vault.lifecycle import erasure_declarations
from lumeire.vault.selectors import journaled_keys_held
from lumeire.vault.services import keystore_scrub, shred

if TYPE_CHECKING:
    from django.http import HttpRequest

    from lumeire.accounts.models import User

logger = logging.getLogger(__name__)

LINK_LIFETIME = timedelta(hours=24)
OPEN = (ErasureStatus.AWAITING_CONFIRMATION, ErasureStatus.SCHEDULED)


class ErasureErrorCode(StrEnum):
    LINK_INVALID = "erasure_link_invalid"
    NOT_A_CUSTOMER = "erasure_not_a_customer"


def grace_period() -> timedelta:
    return timedelta(days=int(getattr(settings, "LUMEIRE_ERASURE_GRACE_DAYS", 14)))


def privacy_email(user: User, template: str, context: dict[str, object] | None = None) -> bool:
    """Send ``privacy/email/<template>.txt`` (first line: subject) in the customer's language.

    Returns False, sending nothing, when the address is already unreadable.
    """
    address = user.email
    if not address or is_erased(address):
        return False
    send_account_email(
        to=str(address),
        language=user.language or "en",
        template=template,
        context=context,
        app="privacy",
    )
    return True


def open_erasure_of(user: User) -> ErasureRequest | None:
    """The customer's deletion in progress (waiting for its link, or scheduled), if any."""
    return (
        ErasureRequest.objects.filter(user=user, status__in=OPEN).order_by("-requested_at").first()
    )


def erasure_request(
    *, actor: User, password: str, request: HttpRequest | None = None
) -> ErasureRequest:
    """Check the password, then email a single-use confirmation link; nothing is erased yet.

    A new request replaces a previous one still waiting for its link, so only the newest link
    works.
    """
    from lumeire.accounts.models import AccountKind
    from lumeire.accounts.services.current_password import require_current_password

    if actor.kind != AccountKind.CUSTOMER:
        raise ApplicationError(
            ErasureErrorCode.NOT_A_CUSTOMER,
            _("Only a customer account can be deleted here."),
            status_code=403,
        )
    require_current_password(actor, password, request=request, field="password")
    raw = new_secret()
    now = timezone.now()
    with transaction.atomic():
        ErasureRequest.objects.filter(
            user=actor, status=ErasureStatus.AWAITING_CONFIRMATION
        ).update(status=ErasureStatus.CANCELLED, cancelled_at=now, token_hash=None)
        erasure = ErasureRequest.objects.create(
            user=actor,
            reason=ErasureReason.CUSTOMER,
            status=ErasureStatus.AWAITING_CONFIRMATION,
            token_hash=secret_hash(raw),
            token_expires_at=now + LINK_LIFETIME,
            requested_at=now,
        )
        audit_record(
            actor=actor,
            action=PrivacyAuditAction.ERASURE_REQUESTED,
            target_type="privacy.erasurerequest",
            target_id=str(erasure.pk),
            subject_id=actor.pk,
        )
    link = site_url(f"/{actor.language or 'en'}/account/delete/confirm/{raw}/")
    privacy_email(
        actor,
        "erasure_confirm",
        {"link": link, "hours": int(LINK_LIFETIME.total_seconds() // 3600)},
    )
    return erasure


def erasure_confirm(*, token_ref: str) -> ErasureRequest:
    """Confirm a deletion from its emailed link: it is scheduled after the grace period.

    ``token_ref`` is the hash of the link's token (``secret_hash``), as the page keeps it in the
    session. The link works once; an unknown, used or expired one changes nothing.
    """
    now = timezone.now()
    with transaction.atomic():
        erasure = (
            ErasureRequest.objects.select_for_update()
            .filter(
                token_hash=token_ref or "",
                status=ErasureStatus.AWAITING_CONFIRMATION,
                token_expires_at__gt=now,
            )
            .select_related("user")
            .first()
        )
        if erasure is None:
            raise ApplicationError(
                ErasureErrorCode.LINK_INVALID,
                _("This link to delete your account is not valid any more."),
            )
        erasure.status = ErasureStatus.SCHEDULED
        erasure.token_hash = None
        erasure.confirmed_at = now
        erasure.erase_after = now + grace_period()
        erasure.save(update_fields=["status", "token_hash", "confirmed_at", "erase_after"])
        audit_record(
            actor=erasure.user,
            action=PrivacyAuditAction.ERASURE_CONFIRMED,
            target_type="privacy.erasurerequest",
            target_id=str(erasure.pk),
            subject_id=erasure.user_id,
        )
        # Whoever holds a session or a token of the account is out from now on; signing in
        # again (which cancels the deletion) takes the password.
        end_every_sign_in(erasure.user)
    privacy_email(erasure.user, "erasure_scheduled", {"erase_after": erasure.erase_after})
    return erasure


def erasure_cancel_on_sign_in(user: User) -> int:
    """Signing in during the grace period (or the inactivity notice) keeps the account.

    Called from the sign-in success path; returns how many deletions were cancelled.
    """
    now = timezone.now()
    with transaction.atomic():
        open_ids = list(
            ErasureRequest.objects.filter(user=user, status__in=OPEN).values_list("pk", flat=True)
        )
        if not open_ids:
            return 0
        ErasureRequest.objects.filter(pk__in=open_ids).update(
            status=ErasureStatus.CANCELLED, cancelled_at=now, token_hash=None
        )
        for erasure_id in open_ids:
            audit_record(
                actor=user,
                action=PrivacyAuditAction.ERASURE_CANCELLED,
                target_type="privacy.erasurerequest",
                target_id=str(erasure_id),
                subject_id=user.pk,
            )
    privacy_email(user, "erasure_cancelled")
    return len(open_ids)


def _delete_sessions_of(user: User) -> None:
    # end_every_sign_in has already made every session invalid, whatever the store; rows of
    # the database store are deleted too, so none keeps the account id. A cache store's
    # entries cannot be listed and simply expire.
    if settings.SESSION_ENGINE != "django.contrib.sessions.backends.db":
        return
    user_pk = str(user.pk)
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id", "")) == user_pk:
            session.delete()


def _erase_rows_of(user: User, *, now: datetime) -> None:
    """Inside the erasure's transaction: every app's declared erasure of its rows of the person,
    their sign-ins ended, their open deletions marked done. The key is shredded after this."""
    for model, erasure in erasure_declarations():
        erasure.apply(model, subject_id=user.pk, now=now)
    end_every_sign_in(user)
    _delete_sessions_of(user)
    ErasureRequest.objects.filter(user=user, status__in=OPEN).update(
        status=ErasureStatus.ERASED, erased_at=now, token_hash=None
    )


def erasure_carry_out(user: User, *, now: datetime | None = None, scrub: bool = True) -> bool:
    """Erase the person now; returns False when they were already erased (idempotent).

    The last email goes out first, while the address can still be read; then, in one
    transaction, each app's declared erasure runs, the audit log records it and the key is
    shredded last (blind indexes cleared with it, the journal written before the commit). With
    ``scrub`` the database files are then wiped of the old key; a batch of erasures scrubs once
    at its end instead.
    """
    now = now or timezone.now()
    user_model = type(user)
    user = user_model._base_manager.get(pk=user.pk)
    if not user.is_active and not user.has_usable_password() and user.email_index is None:
        return False
    privacy_email(user, "erased")
    with transaction.atomic():
        _erase_rows_of(user, now=now)
        audit_record(
            actor=None,
            action=PrivacyAuditAction.ERASED,
            target_type="accounts.user",
            target_id=str(user.pk),
            subject_id=user.pk,
        )
        shred(user.pk)
    if scrub:
        keystore_scrub()
    logger.info("account erased", extra={"event": "account_erased", "user_id": str(user.pk)})
    return True


def erasure_replay(*, now: datetime | None = None) -> int:
    """Destroy again every key the erasure journal lists that the database still holds.

    After a backup is restored: each such person is erased again (no email: they were told
    when it first happened), a key of anything else (a compliance case) is shredded, and each
    replay is audited. Idempotent: a second run finds nothing. Returns how many keys it
    destroyed. Only verified journal lines are replayed.
    """
    now = now or timezone.now()
    user_model = get_user_model()
    replayed = 0
    for row in journaled_keys_held(current_journal()):
        with transaction.atomic():
            user = user_model._base_manager.filter(pk=row.subject_id).first()
            if user is not None:
                _erase_rows_of(user, now=now)
            audit_record(
                actor=None,
                action=PrivacyAuditAction.ERASURE_REPLAYED,
                target_type="vault.datakey",
                target_id=str(row.id),
                subject_id=user.pk if user is not None else None,
            )
            # Already in the journal: replaying must not list it twice.
            shred(row.subject_id, journal=False)
        replayed += 1
    if replayed:
        keystore_scrub()
        forget_store_state()
        logger.info("erasures replayed", extra={"event": "erasure_replayed", "keys": replayed})
    return replayed


def erasures_due(now: datetime | None = None) -> list[ErasureRequest]:
    """Scheduled deletions whose grace period (or inactivity notice) has ended."""
    return list(
        ErasureRequest.objects.filter(
            status=ErasureStatus.SCHEDULED, erase_after__lte=now or timezone.now()
        ).select_related("user")
    )
