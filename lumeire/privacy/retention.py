"""Retention: every period the data inventory and the settings promise, applied in one pass.

``purge_expired`` is idempotent (a second run finds nothing) and reports counts by category
only, never which rows or whose. Periods come from the inventory where it states one, so the
policy page and the purge cannot disagree; the rest are settings.

Audit entries are never simply deleted: those older than ``LUMEIRE_AUDIT_LIVE_DAYS`` move into
a signed checkpoint and its sealed archive file (``lumeire.audit.checkpoints``), so the live
table stops growing and ``audit_verify`` still passes.
"""

from __future__ import annotations

import importlib
import logging
from datetime import datetime, timedelta

from django.apps import apps
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from lumeire.audit.checkpoints import audit_checkpoint
from lumeire.audit.errors import AuditChainBrokenError
from lumeire.audit.services import audit_record
from lumeire.privacy.audit_actions import PrivacyAuditAction
from lumeire.privacy.erasure import OPEN, erasure_carry_out, erasures_due, privacy_email
from lumeire.privacy.models import ErasureReason, ErasureRequest, ErasureStatus
from lumeire.vault.inventory import declarations_of

logger = logging.getLogger(__name__)

INACTIVITY_NOTICE = timedelta(days=30)

# Report order, and the names the command prints.
CATEGORIES = (
    "api_tokens",
    "recovery_tokens",
    "email_changes",
    "sessions",
    "guest_carts",
    "sign_in_events",
    "sign_up_conflicts",
    "inactivity_notices",
    "erasures",
    "exports",
    "cases",
    "audit_entries_sealed",
)

# Entries per checkpoint: appends wait while one is written, so each stays short.
AUDIT_CHECKPOINT_BATCH = 100_000


def _days(name: str, default: int) -> timedelta:
    return timedelta(days=int(getattr(settings, name, default)))


def _declared_period(label: str, field: str, default: timedelta) -> timedelta:
    """The retention period the inventory declares for a field (the policy shows the same)."""
    declaration = declarations_of(apps.get_model(label)).get(field)
    period = declaration.retention.period if declaration else None
    return period or default


def sign_in_event_period() -> timedelta:
    return _declared_period(
        "accounts.SignInEvent", "login_ref", _days("LUMEIRE_SIGN_IN_EVENT_DAYS", 180)
    )


def sign_up_conflict_period() -> timedelta:
    return _declared_period("accounts.SignupConflict", "index_ref", timedelta(days=365))


def email_change_period() -> timedelta:
    return _declared_period("accounts.EmailChange", "new_email", timedelta(days=1))


def guest_cart_period() -> timedelta:
    return _days("LUMEIRE_GUEST_CART_DAYS", 30)


def inactive_account_period() -> timedelta:
    return _days("LUMEIRE_INACTIVE_ACCOUNT_DAYS", 3 * 365)


def audit_live_period() -> timedelta:
    return _days("LUMEIRE_AUDIT_LIVE_DAYS", 730)


def _delete(queryset) -> int:
    _deleted, per_model = queryset.delete()
    return per_model.get(queryset.model._meta.label, 0)


def _tokens(now: datetime) -> dict[str, int]:
    api_token = apps.get_model("accounts.ApiToken")
    recovery_token = apps.get_model("accounts.RecoveryToken")
    email_change = apps.get_model("accounts.EmailChange")
    kept = email_change_period()
    return {
        "api_tokens": _delete(
            api_token.objects.filter(Q(expires_at__lte=now) | Q(revoked_at__isnull=False))
        ),
        "recovery_tokens": _delete(recovery_token.objects.filter(expires_at__lte=now)),
        "email_changes": _delete(
            email_change.objects.filter(
                Q(expires_at__lte=now - kept) | Q(confirmed_at__lte=now - kept)
            )
        ),
    }


def _sessions(now: datetime) -> int:
    # What clearsessions does, counted; a cache backend expires its sessions by itself.
    if settings.SESSION_ENGINE != "django.contrib.sessions.backends.db":
        return 0
    return _delete(Session.objects.filter(expire_date__lt=now))


def _guest_carts(now: datetime) -> int:
    cart = apps.get_model("cart.Cart")
    return _delete(
        cart.objects.filter(user__isnull=True, updated_at__lte=now - guest_cart_period())
    )


def _events(now: datetime) -> dict[str, int]:
    sign_in_event = apps.get_model("accounts.SignInEvent")
    signup_conflict = apps.get_model("accounts.SignupConflict")
    return {
        "sign_in_events": _delete(
            sign_in_event.objects.filter(at__lte=now - sign_in_event_period())
        ),
        "sign_up_conflicts": _delete(
            signup_conflict.objects.filter(at__lte=now - sign_up_conflict_period())
        ),
    }


def inactive_customers(now: datetime):
    """Active customers whose last sign-in (or sign-up) is older than the period less notice."""
    user_model = apps.get_model("accounts.User")
    cutoff = now - inactive_account_period() + INACTIVITY_NOTICE
    return (
        user_model.objects.filter(kind="customer", is_active=True)
        .filter(Q(last_login__lte=cutoff) | Q(last_login__isnull=True, date_joined__lte=cutoff))
        .exclude(erasure_requests__status__in=OPEN)
    )


def _inactivity_notices(now: datetime) -> int:
    """Schedule the erasure of long-inactive accounts, 30 days ahead, and tell each customer."""
    noticed = 0
    for user in inactive_customers(now):
        with transaction.atomic():
            erasure = ErasureRequest.objects.create(
                user=user,
                reason=ErasureReason.INACTIVITY,
                status=ErasureStatus.SCHEDULED,
                requested_at=now,
                confirmed_at=now,
                erase_after=now + INACTIVITY_NOTICE,
            )
            audit_record(
                actor=None,
                action=PrivacyAuditAction.ERASURE_REQUESTED,
                target_type="privacy.erasurerequest",
                target_id=str(erasure.pk),
                subject_id=user.pk,
            )
        privacy_email(user, "inactive_notice", {"erase_after": erasure.erase_after})
        noticed += 1
    return noticed


def _erasures(now: datetime) -> int:
    return sum(1 for erasure in erasures_due(now) if erasure_carry_out(erasure.user, now=now))


def _purge_of(module: str, function: str, *args) -> int:
    """Run an app's own purge when it offers one; apps above this one are optional here."""
    try:
        services = importlib.import_module(module)
    except ImportError:
        return 0
    purge = getattr(services, function, None)
    if purge is None:
        return 0
    result = purge(*args)
    return int(result or 0) if not isinstance(result, tuple) else int(result[0])


def _exports() -> int:
    """Old exports (lumeire.exports)."""
    return _purge_of("lumeire.exports.services", "exports_purge_expired")


def _cases(now: datetime) -> int:
    """Closed and dismissed irregular-activity cases past their periods (lumeire.compliance)."""
    return _purge_of("lumeire.compliance.services", "cases_purge_expired", now)


def _audit_entries_sealed(now: datetime) -> int:
    """Move old audit entries into checkpoints, one bounded batch at a time."""
    sealed = 0
    try:
        while checkpoint := audit_checkpoint(
            before=now - audit_live_period(), max_entries=AUDIT_CHECKPOINT_BATCH
        ):
            sealed += checkpoint.entry_count
    except AuditChainBrokenError:
        # A broken chain is never sealed; the rest of the pass is still recorded, and
        # audit_verify names the entry.
        logger.error(
            "audit checkpoint refused: the live chain is broken; run audit_verify",
            extra={"event": "audit_checkpoint_refused"},
        )
    return sealed


def purge_expired(now: datetime | None = None) -> dict[str, int]:
    """Apply every retention period once; return how many rows went, by category."""
    now = now or timezone.now()
    counts = {name: 0 for name in CATEGORIES}
    counts.update(_tokens(now))
    counts["sessions"] = _sessions(now)
    counts["guest_carts"] = _guest_carts(now)
    counts.update(_events(now))
    counts["erasures"] = _erasures(now)
    counts["inactivity_notices"] = _inactivity_notices(now)
    counts["exports"] = _exports()
    counts["cases"] = _cases(now)
    # Last: the entries the steps above wrote are new, so none of them is sealed yet.
    counts["audit_entries_sealed"] = _audit_entries_sealed(now)
    purged = [name for name in CATEGORIES if counts[name]]
    if purged:
        audit_record(actor=None, action=PrivacyAuditAction.PURGED, fields=purged)
    logger.info("retention applied", extra={"event": "purge_expired", **counts})
    return counts
