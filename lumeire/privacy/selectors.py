"""Reads of the policy in force, and of who looked at a customer's data."""

from __future__ import annotations

import difflib
import uuid
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy

from lumeire.accounts.models import AccountKind
from lumeire.audit.models import AuditEntry, RevealReason
from lumeire.audit.selectors import reveals_of_subject
from lumeire.core.errors import ApplicationError
from lumeire.privacy.models import PolicyAcceptance, PolicyStatus, PolicyVersion
from lumeire.staff.access import ROLE_OF_GROUP
from lumeire.staff.roles import Role
from lumeire.staff.selectors import export_entries_of_subject
from lumeire.vault.blind_index import blind_index


def _in_effect():
    """Published versions already in effect, newest first."""
    return PolicyVersion.objects.filter(
        status=PolicyStatus.PUBLISHED, effective_at__lte=timezone.now()
    ).order_by("-version")


def current_policy_version() -> PolicyVersion | None:
    """The newest published version already in effect."""
    return _in_effect().first()


def policy_version_get(version: int | None) -> PolicyVersion | None:
    """A published version by number, or the current one when ``version`` is None."""
    if version is None:
        return current_policy_version()
    return PolicyVersion.objects.filter(status=PolicyStatus.PUBLISHED, version=version).first()


def policy_versions() -> list[PolicyVersion]:
    """Every version, drafts included, newest first (the back office's list)."""
    return list(PolicyVersion.objects.order_by("-version"))


def policy_draft() -> PolicyVersion | None:
    """The open draft, if someone started one."""
    return PolicyVersion.objects.filter(status=PolicyStatus.DRAFT).order_by("-version").first()


def policy_version_any(version: int) -> PolicyVersion | None:
    """A version by number whatever its status (for staff who draft and compare)."""
    return PolicyVersion.objects.filter(version=version).first()


def policy_acceptance_required(user) -> PolicyVersion | None:
    """The version in force when this signed-in customer has not accepted it yet, else None.

    Only customers are asked: staff accept nothing here. The answer is kept on the user object
    for the rest of the request, so the gate costs two small queries per request at most.
    """
    if not getattr(user, "is_authenticated", False) or getattr(user, "kind", None) != (
        AccountKind.CUSTOMER
    ):
        return None
    cached = getattr(user, _ACCEPTANCE_CACHE, _MISSING)
    if cached is not _MISSING:
        return cached
    # The number alone: the version's text (every section, both languages) is read only for a
    # customer who must accept it.
    in_force = _in_effect().values_list("version", flat=True).first()
    needed = None
    if in_force is not None:
        latest = (
            PolicyAcceptance.objects.filter(user=user)
            .order_by("-version__version")
            .values_list("version__version", flat=True)
            .first()
        )
        if latest is None or latest < in_force:
            needed = current_policy_version()
    setattr(user, _ACCEPTANCE_CACHE, needed)
    return needed


_ACCEPTANCE_CACHE = "_lumeire_policy_acceptance_required"
_MISSING = object()


@dataclass(frozen=True)
class SectionDiff:
    """One section compared with the version in force: unified-diff lines per language."""

    key: str
    title: str
    status: str  # "added", "removed", "changed", "same"
    lines: dict[str, list[str]]


def policy_diff(draft: PolicyVersion, against: PolicyVersion | None) -> list[SectionDiff]:
    """What a draft changes, section by section and language by language, as stored text
    (the generated parts are the same markers on both sides)."""
    old = {section["key"]: section for section in (against.sections if against else [])}
    new = {section["key"]: section for section in draft.sections}
    keys = list(new) + [key for key in old if key not in new]
    result = []
    for key in keys:
        before, after = old.get(key), new.get(key)
        lines: dict[str, list[str]] = {}
        for lang in ("en", "ar"):
            text_before = _section_text(before, lang)
            text_after = _section_text(after, lang)
            lines[lang] = list(
                difflib.unified_diff(
                    text_before.splitlines(), text_after.splitlines(), lineterm="", n=1
                )
            )[2:]
        if before is None:
            status = "added"
        elif after is None:
            status = "removed"
        elif any(lines.values()):
            status = "changed"
        else:
            status = "same"
        title = (after or before)["title"].get("en", key)
        result.append(SectionDiff(key=key, title=title, status=status, lines=lines))
    return result


def _section_text(section: dict | None, lang: str) -> str:
    if section is None:
        return ""
    return f"# {section['title'].get(lang, '')}\n{section['body'].get(lang, '')}"


# --- Who looked at my data -------------------------------------------------------------------
#
# Each reveal of a customer's data, as the customer may see it: when, which role, a pseudonym
# of the staff member (never their name or id), the fields in words and the reason's category.
# The reason's free text stays in the audit log: staff write it for compliance, not for the
# customer, and it may name other people. Refused attempts are never shown here.

ACCESS_LOG_PAGE_SIZE = 24
# Its own purpose string: the pseudonym matches no other keyed hash of the store.
VIEWER_REF_PURPOSE = "privacy.access_log.viewer"
CURSOR_PURPOSE = "privacy.access_log.cursor"
VIEWER_REF_LENGTH = 6

# The fields a reveal may name, in words (the models' own field names carry no translation).
FIELD_LABELS: dict[str, Promise] = {
    "username": gettext_lazy("Username"),
    "email": gettext_lazy("Email address"),
    "full_name": gettext_lazy("Full name"),
    "date_of_birth": gettext_lazy("Date of birth"),
    "identity_number": gettext_lazy("National ID or residence number (iqama)"),
    "phone": gettext_lazy("Mobile number"),
    "city": gettext_lazy("City"),
    "district": gettext_lazy("District"),
    "street": gettext_lazy("Street"),
    "building": gettext_lazy("Building number"),
    "postal_code": gettext_lazy("Postal code"),
    "country": gettext_lazy("Country"),
    "address": gettext_lazy("Delivery address"),
    "shipping_address": gettext_lazy("Delivery address"),
    "card_brand": gettext_lazy("Card brand"),
    "card_last4": gettext_lazy("Last four digits of the card"),
}


@dataclass(frozen=True)
class AccessLogEntry:
    """One look at the customer's data, in the words of the active language."""

    at: datetime
    viewer_role: str
    viewer_ref: str
    fields: tuple[str, ...]
    reason: str
    cursor: str


@dataclass(frozen=True)
class AccessLogPage:
    entries: list[AccessLogEntry]
    next_cursor: str | None


def viewer_ref(actor_id: uuid.UUID | str | None) -> str:
    """A stable pseudonym of a staff member: the same person reads the same, yet nothing leads
    back from it to their name or account without the store's key."""
    if actor_id is None:
        return ""
    return blind_index(VIEWER_REF_PURPOSE, str(actor_id))[:VIEWER_REF_LENGTH].upper()


def _role_labels(actor_roles: object) -> list[str]:
    """The roles stored on an entry (role values, or group names) as translated labels."""
    if isinstance(actor_roles, str):
        tokens = [token.strip() for token in actor_roles.split(",")]
    else:
        tokens = [str(token).strip() for token in actor_roles or ()]
    labels: list[str] = []
    for token in tokens:
        role = ROLE_OF_GROUP.get(token) or (Role(token) if token in Role.values else None)
        if role is not None and str(role.label) not in labels:
            labels.append(str(role.label))
    return labels


def field_label(name: str) -> str:
    """A field named by a reveal, in words; "accounts.User.email" and "email" read the same."""
    bare = str(name).rsplit(".", 1)[-1]
    label = FIELD_LABELS.get(bare)
    return str(label) if label is not None else bare.replace("_", " ")


def reason_label(category: str) -> str:
    """The reason's category in words; its free text is never shown to the customer."""
    if category in RevealReason.values:
        return str(RevealReason(category).label)
    return gettext("Other reason")


def _cursor_of(entry_id: int) -> str:
    # Keyed, so the cursor tells nothing about how many entries the whole log holds.
    return blind_index(CURSOR_PURPOSE, str(entry_id))[:32]


def _present(entry: AuditEntry) -> AccessLogEntry:
    fields = list(dict.fromkeys(field_label(name) for name in entry.fields or ()))
    roles = _role_labels(entry.actor_roles)
    return AccessLogEntry(
        at=entry.at,
        viewer_role=", ".join(roles) if roles else gettext("Staff"),
        viewer_ref=viewer_ref(entry.actor_id),
        fields=tuple(fields),
        reason=reason_label(entry.reason_category),
        cursor=_cursor_of(entry.pk),
    )


def access_log_of_customer(
    *, customer_id: uuid.UUID, cursor: str | None = None, limit: int = ACCESS_LOG_PAGE_SIZE
) -> AccessLogPage:
    """One page of the staff looks at this customer's data, newest first: reveals, searches by
    identity number that found them, and exports that held their values in clear.

    Only the customer's own entries are read (the audit selector filters on the subject, the
    staff selector on the export's customers), and only looks: refused attempts stay in the
    audit log. An unknown or altered cursor is
    refused rather than silently restarting, so an app never shows a page twice.
    """
    # The exports that held the customer's values in clear are looks too (one entry each).
    reveals = sorted(
        [*reveals_of_subject(customer_id), *export_entries_of_subject(customer_id)],
        key=lambda entry: entry.pk,
        reverse=True,
    )
    start = 0
    if cursor:
        cursors = [_cursor_of(entry.pk) for entry in reveals]
        if cursor not in cursors:
            message = gettext("This page link is not valid; start from the first page.")
            raise ApplicationError("invalid_cursor", message, field_errors={"cursor": [message]})
        start = cursors.index(cursor) + 1
    window = reveals[start : start + limit + 1]
    entries = [_present(entry) for entry in window[:limit]]
    more = len(window) > limit
    return AccessLogPage(entries=entries, next_cursor=entries[-1].cursor if more else None)
