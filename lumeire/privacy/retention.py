"""Retention: every period the data inventory and the settings promise, applied in one pass.

``purge_expired`` is idempotent (a second run finds nothing) and reports counts by category
only, never which rows or whose. Each app declares its models' purges next to their personal
data (``purges = (Purge(...),)``, see ``lumeire.vault.lifecycle``); this pass walks those
declarations, so the policy page, the retention table and the purge cannot disagree. What is
the privacy centre's own (sessions, inactivity notices, due erasures) and the sealing of old
audit entries run here.

Audit entries are never simply deleted: those older than ``LUMEIRE_AUDIT_LIVE_DAYS`` move into
a signed checkpoint and its sealed archive file (``lumeire.audit.checkpoints``), so the live
table stops growing and ``audit_verify`` still passes.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lumeire.audit.checkpoints import audit_checkpoint
from lumeire.audit.errors import AuditChainBrokenError
from lumeire.audit.services import audit_record
from lumeire.privacy.audit_actions import PrivacyAuditAction
from lumeire.privacy.erasure import OPEN, erasure_carry_out, erasures_due, privacy_email
from lumeire.privacy.models import ErasureReason, ErasureRequest, ErasureStatus
from lumeire.privacy.policy import retention_text
from lumeire.vault.inventory import Retention
from lumeire.vault.lifecycle import Purge, purge_declarations
from lumeire.vault.services import keystore_scrub

logger = logging.getLogger(__name__)

INACTIVITY_NOTICE = timedelta(days=30)

# The privacy centre's own steps, reported after the declared purges.
OWN_CATEGORIES = ("sessions", "inactivity_notices", "erasures", "audit_entries_sealed")


def categories() -> tuple[str, ...]:
    """Report order and the names the command prints: the declared purges, then our own."""
    declared = dict.fromkeys(purge.category for _model, purge in purge_declarations())
    return (*declared, *OWN_CATEGORIES)


# What the privacy centre's own steps delete, for the retention table.
OWN_CATEGORY_TEXT = {
    "sessions": _("Sessions: when they expire (with the database session store)"),
    "inactivity_notices": _(
        "Accounts not signed in for LUMEIRE_INACTIVE_ACCOUNT_DAYS (3 years) less 30 days: a "
        "notice, and their erasure 30 days later unless they sign in"
    ),
    "erasures": _("Accounts whose confirmed deletion or inactivity notice has come due"),
    "audit_entries_sealed": _(
        "Audit entries older than LUMEIRE_AUDIT_LIVE_DAYS (2 years) move into a signed "
        "checkpoint and its sealed archive file"
    ),
}


def _purge_text(model, purge: Purge) -> str:
    period = purge.current_period()
    retention = Retention(after=purge.after, period=period if period else None)
    records = str(model._meta.verbose_name_plural).capitalize()
    text = f"{records}: {retention_text(retention)}"
    if purge.period_setting:
        text += f" ({purge.period_setting})"
    return text


def retention_rows() -> list[tuple[str, str]]:
    """``(category, what goes when)`` for every category the purge reports, in its order.

    Built from the same declarations the purge applies, so the published table cannot drift.
    """
    texts: dict[str, list[str]] = {}
    for model, purge in purge_declarations():
        texts.setdefault(purge.category, []).append(_purge_text(model, purge))
    rows = [(category, "; ".join(lines)) for category, lines in texts.items()]
    rows += [(category, str(OWN_CATEGORY_TEXT[category])) for category in OWN_CATEGORIES]
    return rows


def retention_table() -> str:
    """The retention table as Markdown, for the README."""
    lines = ["| category | goes |", "| --- | --- |"]
    lines += [f"| `{category}` | {text} |" for category, text in retention_rows()]
    return "\n".join(lines)


# Entries per checkpoint: appends wait while one is written, so each stays short.
AUDIT_CHECKPOINT_BATCH = 100_000


def _days(name: str, default: int) -> timedelta:
    return timedelta(days=int(getattr(settings, name, default)))


def inactive_account_period() -> timedelta:
    return _days("LUMEIRE_INACTIVE_ACCOUNT_DAYS", 3 * 365)


def audit_live_period() -> timedelta:
    return _days("LUMEIRE_AUDIT_LIVE_DAYS", 730)


def _delete(queryset) -> int:
    _deleted, per_model = queryset.delete()
    return per_model.get(queryset.model._meta.label, 0)


def _declared_purges(now: datetime) -> dict[str, int]:
    """Every app's declared purges; each app's own purge function where it names one."""
    counts: dict[str, int] = {}
    for model, purge in purge_declarations():
        counts[purge.category] = counts.get(purge.category, 0) + purge.apply(model, now=now)
    return counts


def _sessions(now: datetime) -> int:
    # What clearsessions does, counted; a cache backend expires its sessions by itself.
    if settings.SESSION_ENGINE != "django.contrib.sessions.backends.db":
        return 0
    return _delete(Session.objects.filter(expire_date__lt=now))


def inactive_customers(now: datetime):
    """Active customers whose last sign-in (or sign-up) is older than the period less notice."""
    user_model = get_user_model()
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
    # The key store is scrubbed once for the whole pass, at its end.
    return sum(
        1 for erasure in erasures_due(now) if erasure_carry_out(erasure.user, now=now, scrub=False)
    )


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
    counts = dict.fromkeys(categories(), 0)
    counts.update(_declared_purges(now))
    counts["sessions"] = _sessions(now)
    counts["erasures"] = _erasures(now)
    counts["inactivity_notices"] = _inactivity_notices(now)
    # Erasures and expired cases destroyed keys: wipe them from the database files once.
    if counts["erasures"] or counts.get("cases"):
        keystore_scrub()
    # Last: the entries the steps above wrote are new, so none of them is sealed yet.
    counts["audit_entries_sealed"] = _audit_entries_sealed(now)
    purged = [name for name in counts if counts[name]]
    if purged:
        audit_record(actor=None, action=PrivacyAuditAction.PURGED, fields=purged)
    logger.info("retention applied", extra={"event": "purge_expired", **counts})
    return counts
