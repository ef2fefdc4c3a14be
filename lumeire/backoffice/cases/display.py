"""What the case pages show: labels, staff named by role, the list's rows and a case's page.

Nothing here shows a personal value: the subject is the kind of subject (and a customer their
masked name, as the customer list shows it, with a link to their page for the roles that open
customers' pages), events are references, staff are a role and a short id. Which forms a page
offers comes from ``lumeire.compliance.selectors.case_abilities``; only their order and words
are chosen here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime

from django.contrib.admin.utils import quote
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lumeire.accounts.models import Customer, SignInOutcome, SignupConflictKind
from lumeire.backoffice.masking import mask_text
from lumeire.backoffice.sites import backoffice_site
from lumeire.compliance import services
from lumeire.compliance.models import (
    ActionKind,
    Case,
    CaseEvent,
    CaseEventKind,
    CaseStatus,
    ProtectiveAction,
    ReportFile,
    Rule,
    Signal,
)
from lumeire.compliance.report import REPORT_ITEMS
from lumeire.compliance.selectors import CaseAbilities, case_abilities
from lumeire.staff.access import Permission, has_permission, staff_roles

S = CaseStatus
NOTHING = "—"
EVENTS_SHOWN = 500  # a case page lists at most this many events (signals keep 200 each)
REPORT_TYPES = {"json": "application/json", "pdf": "application/pdf"}

# The buttons of the moves case_transition makes by itself, in the order the page shows them.
MOVE_LABELS = {
    S.UNDER_REVIEW: gettext_lazy("Start the review"),
    S.DISMISSED: gettext_lazy("Dismiss the case"),
    S.CLOSED: gettext_lazy("Close the case"),
}

REVEAL_LABELS = {
    "identity_number": gettext_lazy("National ID or residence number (iqama)"),
    "date_of_birth": gettext_lazy("Date of birth"),
    "full_name": gettext_lazy("Name"),
    "email": gettext_lazy("Email"),
}

# Where a signal's events come from, as a compliance officer reads it.
SOURCE_LABELS = {
    "accounts.signinevent": gettext_lazy("Sign-in attempt"),
    "accounts.signupconflict": gettext_lazy("Sign-up with taken details"),
    "checkout.paymentattempt": gettext_lazy("Card payment attempt"),
    "orders.order": gettext_lazy("Order"),
    "checkout.agerestrictionrefusal": gettext_lazy("Age-restricted purchase refused"),
}
WHAT_LABELS = {
    **{value: label for value, label in SignInOutcome.choices},
    **{value: label for value, label in SignupConflictKind.choices},
    "declined": gettext_lazy("Card declined"),
    "approved": gettext_lazy("Card approved"),
    "placed": gettext_lazy("Order placed"),
}


def case_url(case: Case) -> str:
    return reverse("backoffice_case", args=[case.pk])


class People:
    """Staff named on a page by role and a short id, never by name; the viewer is "you"."""

    def __init__(self, viewer) -> None:
        self.viewer = viewer
        self._seen: dict[object, str] = {}

    def __call__(self, user) -> str:
        if user is None:
            return _("The store")
        if user.pk == self.viewer.pk:
            return _("You")
        if user.pk not in self._seen:
            roles = ", ".join(str(role.label) for role in sorted(staff_roles(user)))
            self._seen[user.pk] = f"{roles or _('Staff')} · {str(user.pk)[:8]}"
        return self._seen[user.pk]


def status_label(value: str) -> str:
    return str(CaseStatus(value).label) if value in CaseStatus.values else value or NOTHING


def _rule_label(value: str) -> str:
    return str(Rule(value).label) if value in Rule.values else value


def subject_kind(case: Case) -> str:
    """What a case is about, masked: the kind of subject, never its value."""
    return _("Customer account") if case.subject_id else _("Network address")


@dataclass(frozen=True)
class CaseCustomer:
    name: str  # masked: "A*** A***"
    url: str


def case_customer(user, case: Case) -> CaseCustomer | None:
    """The customer a case is about, masked, with the way to their page; None for a case about
    a network address, a subject with no customer profile, or a viewer whose roles do not open
    customers' pages (lumeire.staff.access: the customer list shows the same mask)."""
    if not case.subject_id or not has_permission(user, Permission.CUSTOMERS_VIEW):
        return None
    customer = Customer.objects.filter(pk=case.subject_id).first()
    if customer is None:
        return None
    url = reverse(f"{backoffice_site.name}:accounts_customer_change", args=[quote(customer.pk)])
    return CaseCustomer(name=mask_text(customer.full_name) or NOTHING, url=url)


def _what_label(what: str) -> str:
    if what in WHAT_LABELS:
        return str(WHAT_LABELS[what])
    if what.startswith("age_") and what[4:].isdigit():
        return _("Under %(age)s") % {"age": what[4:]}
    return what


def _when(raw: object) -> datetime | None:
    try:
        return datetime.fromisoformat(str(raw))
    except ValueError:
        return None


@dataclass(frozen=True)
class CaseRow:
    case: Case
    url: str
    status: str
    subject: str
    rules: list[str]
    assignee: str


def list_rows(user, cases: Iterable[Case]) -> list[CaseRow]:
    """The list's rows, with every case's rules read in one query."""
    cases = list(cases)
    rules: dict[int, list[str]] = {case.pk: [] for case in cases}
    found = Signal.objects.filter(case__in=cases).values_list("case_id", "rule").distinct()
    for case_id, rule in found.order_by("case_id", "rule"):
        rules[case_id].append(_rule_label(rule))
    people = People(user)
    return [
        CaseRow(
            case=case,
            url=case_url(case),
            status=status_label(case.status),
            subject=subject_kind(case),
            rules=rules[case.pk],
            assignee=people(case.assignee) if case.assignee_id else NOTHING,
        )
        for case in cases
    ]


@dataclass(frozen=True)
class Move:
    to: str
    label: str
    needs_note: bool


def case_moves(abilities: CaseAbilities) -> list[Move]:
    """The buttons of the simple moves open now, in the page's order."""
    return [
        Move(str(to), str(label), to == S.DISMISSED)
        for to, label in MOVE_LABELS.items()
        if to in abilities.moves
    ]


def report_items() -> list[tuple[str, str, str]]:
    """The checklist of the report's personal data (key, label, what it holds), in the page's
    language."""
    language = "ar" if (translation.get_language() or "").startswith("ar") else "en"
    return [
        (key, item.label(language), item.description(language))
        for key, item in REPORT_ITEMS.items()
    ]


def _signal_rows(signals: list[Signal]) -> list[dict]:
    return [
        {
            "rule": _rule_label(signal.rule),
            "score": signal.score,
            "first": signal.first_event_at,
            "last": signal.last_event_at,
            "events": len(signal.event_refs or []),
            "address": bool(signal.client_ref),
        }
        for signal in signals
    ]


def _event_rows(signals: list[Signal]) -> tuple[list[dict], int]:
    """Every event behind the case once, in time order: where, when and what, no value."""
    seen: dict[tuple[str, str], dict] = {}
    for signal in signals:
        for ref in signal.event_refs or []:
            key = (str(ref.get("source", "")), str(ref.get("id", "")))
            if key not in seen:
                source = key[0]
                seen[key] = {
                    "source": str(SOURCE_LABELS.get(source, source)),
                    "at": _when(ref.get("at")),
                    "what": _what_label(str(ref.get("what", ""))),
                    "rule": _rule_label(signal.rule),
                }
    rows = sorted(seen.values(), key=lambda row: (row["at"] is None, row["at"] or 0))
    return rows[:EVENTS_SHOWN], max(0, len(rows) - EVENTS_SHOWN)


def _timeline_rows(events: Iterable[CaseEvent], people: People) -> list[dict]:
    rows = []
    for event in events:
        change = ""
        text = event.text
        if event.kind == CaseEventKind.STATUS:
            change = f"{status_label(event.from_status)} → {status_label(event.to_status)}"
        elif event.kind in (CaseEventKind.ACTION, CaseEventKind.ACTION_REVERSED):
            change = str(ActionKind(event.to_status).label) if event.to_status else ""
        elif event.kind == CaseEventKind.REVEAL:
            text = str(REVEAL_LABELS.get(text, text))
        kind = CaseEventKind(event.kind).label if event.kind in CaseEventKind.values else event.kind
        rows.append(
            {
                "at": event.at,
                "kind": kind,
                "actor": people(event.actor),
                "change": change,
                "text": text,
            }
        )
    return rows


def _action_rows(actions: Iterable[ProtectiveAction], people: People, may_reverse: bool) -> list:
    return [
        {
            "action": action,
            "kind": ActionKind(action.kind).label,
            "taken_by": people(action.taken_by),
            "reversed_by": people(action.reversed_by) if action.reversed_at else "",
            "orders": len(action.detail.get("orders", [])) if action.detail else 0,
            "in_force": action.in_force,
            "reversible": may_reverse and action.in_force and action.reversible,
        }
        for action in actions
    ]


def _file_rows(case: Case, files: Iterable[ReportFile], people: People) -> list[dict]:
    url = reverse("backoffice_case_report_download", args=[case.pk])
    return [
        {
            "file": file,
            "kind": file.kind.upper(),
            "by": people(file.generated_by),
            "url": f"{url}?file={file.pk}",
            "name": report_file_name(case, file),
        }
        for file in files
    ]


def report_file_name(case: Case, file: ReportFile) -> str:
    """CASE-000012-report.pdf: the case's reference, never a name or value of its subject."""
    return f"{case.reference}-report.{file.kind if file.kind in REPORT_TYPES else 'bin'}"


def case_detail(user, case: Case) -> dict[str, object]:
    """What the case page shows this staff member, and which of its forms are open to them."""
    people = People(user)
    signals = list(case.signals.all())
    events, events_left_out = _event_rows(signals)
    actions = list(case.actions.select_related("taken_by", "reversed_by"))
    files = list(case.report_files.select_related("generated_by").defer("sealed"))
    abilities = case_abilities(user, case, signals=signals, actions=actions, has_report=bool(files))
    return {
        "case": case,
        "status": status_label(case.status),
        "subject": subject_kind(case),
        "customer": case_customer(user, case),
        "assignee": people(case.assignee) if case.assignee_id else NOTHING,
        "signals": _signal_rows(signals),
        "events": events,
        "events_left_out": events_left_out,
        "timeline": _timeline_rows(case.events.select_related("actor"), people),
        "moves": case_moves(abilities),
        **{name: value for name, value in asdict(abilities).items() if name.startswith("may_")},
        "asked_by_viewer": case.legal_requested_by_id == user.pk,
        "report_items": report_items() if abilities.may_decide else [],
        "ticked_labels": _ticked_labels(case),
        "requested_by": people(case.legal_requested_by) if case.legal_requested_by_id else "",
        "decided_by": people(case.legal_decided_by) if case.legal_decided_by_id else "",
        "reported_by": people(case.reported_by) if case.reported_by_id else "",
        "files": _file_rows(case, files, people),
        "block_hours": services.block_hours_default(),
        "actions": _action_rows(actions, people, abilities.may_reverse),
        "reveals": [
            (name, str(REVEAL_LABELS.get(name, name)))
            for name in services.case_revealable_fields(user)
        ]
        if case.subject_id
        else [],
    }


def _ticked_labels(case: Case) -> list[str]:
    if not case.report_items:
        return []
    labels = {key: label for key, label, _description in report_items()}
    return [labels.get(key, key) for key in case.report_items]
