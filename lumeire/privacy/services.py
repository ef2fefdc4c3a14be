"""Writes of the privacy app: the evidence that a customer accepted a policy version."""

from __future__ import annotations

import logging
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from lumeire.audit.services import audit_record
from lumeire.core.errors import ApplicationError
from lumeire.privacy.audit_actions import PrivacyAuditAction
from lumeire.privacy.cookies import OPTIONAL_CATEGORY_CODES, new_consent_id
from lumeire.privacy.models import (
    ConsentMethod,
    ConsentRecord,
    DailyPageViews,
    PolicyAcceptance,
    PolicyStatus,
    PolicyVersion,
)
from lumeire.staff.access import Permission, require

if TYPE_CHECKING:
    from lumeire.accounts.models import User

logger = logging.getLogger(__name__)


class PolicyErrorCode(StrEnum):
    UNKNOWN_VERSION = "policy_version_unknown"
    NOT_A_DRAFT = "policy_version_not_draft"
    NO_DRAFT = "policy_draft_missing"
    INVALID_SECTIONS = "policy_sections_invalid"


def policy_accept(*, actor: User, version: int, client_ref: str = "") -> PolicyAcceptance:
    """Record that ``actor`` accepted a published version; accepting it again keeps the first.

    Only a published text can be accepted, so every acceptance names words the customer could
    read. ``client_ref`` is already a keyed hash of the client address: evidence, not a trace.
    """
    policy = PolicyVersion.objects.filter(status=PolicyStatus.PUBLISHED, version=version).first()
    if policy is None:
        message = _("There is no published privacy policy with this version.")
        raise ApplicationError(
            PolicyErrorCode.UNKNOWN_VERSION, message, field_errors={"version": [message]}
        )
    acceptance, created = PolicyAcceptance.objects.get_or_create(
        user=actor, version=policy, defaults={"client_ref": client_ref}
    )
    if created:
        logger.info(
            "privacy policy accepted",
            extra={"event": "policy_accepted", "user_id": str(actor.pk), "version": version},
        )
    return acceptance


def _clean_sections(sections: list[dict]) -> list[dict]:
    """Every section needs a key and an English title and body; Arabic may follow later."""
    cleaned: list[dict] = []
    errors: dict[str, list[str]] = {}
    for index, section in enumerate(sections):
        key = str(section.get("key", "")).strip()
        title = {lang: str(section.get("title", {}).get(lang, "")).strip() for lang in ("en", "ar")}
        body = {
            lang: str(section.get("body", {}).get(lang, "")).replace("\r\n", "\n").strip()
            for lang in ("en", "ar")
        }
        if not key or not title["en"] or not body["en"]:
            errors[f"sections.{index}"] = [
                _("Each section needs a key, an English title and an English text.")
            ]
        cleaned.append({"key": key, "title": title, "body": body})
    if not cleaned:
        errors["sections"] = [_("A policy needs at least one section.")]
    if errors:
        raise ApplicationError(
            PolicyErrorCode.INVALID_SECTIONS,
            _("The draft was not saved: some sections are incomplete."),
            field_errors=errors,
        )
    return cleaned


def policy_draft_save(
    *, actor: User, sections: list[dict], effective_at: datetime | None = None
) -> PolicyVersion:
    """Write the open draft (starting one, numbered after the newest version, when there is
    none). Published versions are never touched: customers accepted their words."""
    require(actor, Permission.POLICY_MANAGE)
    cleaned = _clean_sections(sections)
    with transaction.atomic():
        draft = (
            PolicyVersion.objects.select_for_update()
            .filter(status=PolicyStatus.DRAFT)
            .order_by("-version")
            .first()
        )
        if draft is None:
            newest = PolicyVersion.objects.order_by("-version").first()
            draft = PolicyVersion(version=(newest.version + 1) if newest else 1)
        draft.sections = cleaned
        draft.effective_at = effective_at or draft.effective_at or timezone.now()
        draft.save()
    return draft


def policy_publish(
    *, actor: User, version: int, effective_at: datetime | None = None, client_ref: str = ""
) -> PolicyVersion:
    """Publish a draft: from its effective date it is the policy in force, and every customer
    is asked to accept it at their next visit. Recorded in the audit log."""
    require(actor, Permission.POLICY_MANAGE)
    with transaction.atomic():
        draft = PolicyVersion.objects.select_for_update().filter(version=version).first()
        if draft is None:
            message = _("There is no draft with this version.")
            raise ApplicationError(PolicyErrorCode.NO_DRAFT, message, status_code=404)
        if draft.status != PolicyStatus.DRAFT:
            message = _("This version is already published and can no longer change.")
            raise ApplicationError(PolicyErrorCode.NOT_A_DRAFT, message, status_code=409)
        draft.status = PolicyStatus.PUBLISHED
        # Never in the past: customers could not have read it then.
        draft.effective_at = effective_at or max(draft.effective_at, timezone.now())
        draft.save()
        audit_record(
            actor=actor,
            action=PrivacyAuditAction.POLICY_PUBLISHED,
            target_type="privacy.policyversion",
            target_id=str(draft.version),
            client_ref=client_ref,
        )
    return draft


# --- Cookie consent ---------------------------------------------------------------------------


class ConsentErrorCode(StrEnum):
    UNKNOWN_CATEGORY = "consent_category_unknown"
    UNKNOWN_METHOD = "consent_method_unknown"


def consent_record(
    *,
    actor: User | None,
    categories: frozenset[str] | set[str],
    method: str,
    consent_id: str = "",
) -> ConsentRecord:
    """Record a visitor's cookie choice as evidence: the optional categories they accepted, the
    policy version in force, when and how.

    A category the registry does not offer is refused and nothing is written, so a record never
    claims consent to something the visitor was not asked about. ``consent_id`` continues the
    history of a browser; a new random one starts it.
    """
    from lumeire.privacy.selectors import current_policy_version

    unknown = set(categories) - OPTIONAL_CATEGORY_CODES
    if unknown:
        message = _("Choose only among the cookie categories offered.")
        raise ApplicationError(
            ConsentErrorCode.UNKNOWN_CATEGORY, message, field_errors={"categories": [message]}
        )
    if method not in ConsentMethod.values:
        message = _("This way of choosing cookies is not known.")
        raise ApplicationError(ConsentErrorCode.UNKNOWN_METHOD, message)
    policy = current_policy_version()
    signed_in = actor is not None and actor.is_authenticated
    record = ConsentRecord.objects.create(
        consent_id=consent_id or new_consent_id(),
        user=actor if signed_in else None,
        categories=sorted(categories),
        policy_version=policy.version if policy is not None else None,
        method=method,
    )
    logger.info(
        "cookie consent recorded",
        extra={"event": "consent_recorded", "consent_record": record.pk, "method": method},
    )
    return record


def page_view_count(*, day: date, new_visitor: bool) -> None:
    """Count one page view (and one browser, the first time it is seen that day) for a visitor
    who accepted statistics cookies. Only totals are kept."""
    with transaction.atomic():
        DailyPageViews.objects.get_or_create(day=day)
        DailyPageViews.objects.filter(day=day).update(
            views=F("views") + 1, visitors=F("visitors") + (1 if new_visitor else 0)
        )
