"""Erasure: "Delete my account", from the password check to the shredded key.

The flow is request (password) -> emailed link (single use, only its hash kept) -> a grace
period during which signing in cancels it -> ``erasure_carry_out``. Erasure destroys the
customer's data key, so every value sealed with it (profile, addresses, the addresses of old
orders, any backup of them) becomes unreadable at once; what the key does not cover (tokens,
hashes, sessions, saved addresses, the cart, keyed references) is deleted or blanked here.
Orders stay, as anonymous sales records with their totals and invoice numbers: the law keeps
invoices, and ``Order.customer`` points at the account, so the account row stays as a tombstone
with nothing personal left in it.

Models of the apps above this one (checkout, orders, cart) are reached by label through the app
registry: erasure has to reach every table, yet the domain layers must not import upwards.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from django.apps import apps
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lumeire.accounts.emails import send_account_email, site_url
from lumeire.audit.services import audit_record
from lumeire.core.errors import ApplicationError
from lumeire.core.tokens import new_secret, secret_hash
from lumeire.privacy.audit_actions import PrivacyAuditAction
from lumeire.privacy.models import ErasureReason, ErasureRequest, ErasureStatus
from lumeire.vault.fields import is_erased
from lumeire.vault.services import shred

if TYPE_CHECKING:
    from django.http import HttpRequest

    from lumeire.accounts.models import User

logger = logging.getLogger(__name__)

LINK_LIFETIME = timedelta(hours=24)
OPEN = (ErasureStatus.AWAITING_CONFIRMATION, ErasureStatus.SCHEDULED)

# Rows that exist only for the person: deleted outright at erasure (label, field to the user).
DELETED_WITH_THE_PERSON: tuple[tuple[str, str], ...] = (
    ("accounts.ApiToken", "user"),
    ("accounts.RecoveryToken", "user"),
    ("accounts.EmailChange", "user"),
    ("accounts.TwoFactorDevice", "user"),
    ("accounts.TwoFactorRecoveryCode", "user"),
    # Keyed hashes of their login and of their identity number could still single them out.
    ("accounts.SignInEvent", "user"),
    ("accounts.SignupConflict", "existing_user"),
    ("checkout.Address", "customer"),
    ("checkout.IdempotencyKey", "customer"),
    ("checkout.PaymentAttempt", "customer"),
    ("cart.Cart", "user"),
)


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


def erasure_confirm(*, raw_token: str) -> ErasureRequest:
    """Confirm a deletion from its emailed link: it is scheduled after the grace period.

    The link works once; an unknown, used or expired one changes nothing.
    """
    now = timezone.now()
    with transaction.atomic():
        erasure = (
            ErasureRequest.objects.select_for_update()
            .filter(
                token_hash=secret_hash(raw_token or ""),
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
    # With the cache backend sessions cannot be listed; the unusable password below already
    # invalidates them (Django checks each session's password hash on every request).
    if settings.SESSION_ENGINE != "django.contrib.sessions.backends.db":
        return
    user_pk = str(user.pk)
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id", "")) == user_pk:
            session.delete()


def erasure_carry_out(user: User, *, now: datetime | None = None) -> bool:
    """Erase the person now; returns False when they were already erased (idempotent).

    The last email goes out first, while the address can still be read; then, in one
    transaction, credentials and everything kept only for them are deleted, their order rows
    lose the card references, the key is shredded (blind indexes cleared with it) and the
    audit log records it.
    """
    now = now or timezone.now()
    user_model = type(user)
    user = user_model._base_manager.get(pk=user.pk)
    if not user.is_active and not user.has_usable_password() and user.email_index is None:
        return False
    privacy_email(user, "erased")
    with transaction.atomic():
        for label, field in DELETED_WITH_THE_PERSON:
            apps.get_model(label)._base_manager.filter(**{field: user.pk}).delete()
        # The order stays a sale; what could lead back to a card goes.
        apps.get_model("orders.Order")._base_manager.filter(customer=user.pk).update(
            card_token="", card_last4=""
        )
        apps.get_model("accounts.Customer")._base_manager.filter(user=user.pk).update(
            recovery_answer_hash=""
        )
        user.set_unusable_password()
        user.is_active = False
        user.save(update_fields=["password", "is_active"])
        _delete_sessions_of(user)
        shred(user.pk)
        ErasureRequest.objects.filter(user=user, status__in=OPEN).update(
            status=ErasureStatus.ERASED, erased_at=now, token_hash=None
        )
        audit_record(
            actor=None,
            action=PrivacyAuditAction.ERASED,
            target_type="accounts.user",
            target_id=str(user.pk),
            subject_id=user.pk,
        )
    logger.info("account erased", extra={"event": "account_erased", "user_id": str(user.pk)})
    return True


def erasures_due(now: datetime | None = None) -> list[ErasureRequest]:
    """Scheduled deletions whose grace period (or inactivity notice) has ended."""
    return list(
        ErasureRequest.objects.filter(
            status=ErasureStatus.SCHEDULED, erase_after__lte=now or timezone.now()
        ).select_related("user")
    )
