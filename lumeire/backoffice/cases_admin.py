"""Irregular-activity cases in the back office: the list, the case page and every step on it.

Only compliance officers and legal counsel open these pages (``CASES_VIEW``; the Owner has it
not). The pages show no personal value: the subject is "a customer account" or "a network
address", events are references (where, when, what), and a value is seen in clear only through
a reveal from within the case, whose reason is the case itself. Each step is one
``lumeire.compliance.services`` call, which checks the role again, refuses moves outside the
case's table and writes the timeline and the audit log; a refusal is shown on the case page with
its status, never a 500.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lumeire.accounts.models import SignInOutcome, SignupConflictKind
from lumeire.backoffice.reveal import NO_STORE, request_client_ref
from lumeire.backoffice.sites import backoffice_site, staff_view
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
from lumeire.compliance.selectors import CaseAbilities, case_abilities, case_for, cases_for
from lumeire.core.errors import ApplicationError
from lumeire.staff.access import Permission, has_permission, staff_roles
from lumeire.staff.services import reveal_refused_record

P = Permission
S = CaseStatus
NOTHING = "—"
PER_PAGE = 50
EVENTS_SHOWN = 500  # a case page lists at most this many events (signals keep 200 each)
REPORT_TYPES = {"json": "application/json", "pdf": "application/pdf"}

# The buttons of the moves case_transition makes by itself, in the order the page shows them.
MOVE_LABELS = {
    S.UNDER_REVIEW: gettext_lazy("Start the review"),
    S.DISMISSED: gettext_lazy("Dismiss the case"),
    S.CLOSED: gettext_lazy("Close the case"),
}

REVEAL_LABELS = {
    "identity_number": gettext_lazy("Identity number"),
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


class CaseInputError(ApplicationError):
    """A form on the case page that cannot be read (a date, a choice, a file)."""


def _input_error(field: str, message: str) -> CaseInputError:
    return CaseInputError("case_input_invalid", message, field_errors={field: [message]})


# --- Who may open what ------------------------------------------------------------------------


def _gate(request: HttpRequest, permission: Permission = P.CASES_VIEW) -> None:
    """Compliance officers and legal counsel only; some steps are one of them only."""
    if not has_permission(request.user, P.CASES_VIEW) or not has_permission(
        request.user, permission
    ):
        raise PermissionDenied


def _id(raw: str) -> int | None:
    """A row id from a URL or a form; anything else (or too long for the column) is None."""
    raw = (raw or "").strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 18 else None


def _case_or_404(request: HttpRequest, object_id: str) -> Case:
    pk = _id(object_id)
    if pk is None:
        raise Http404
    case = case_for(request.user, pk)
    if case is None:
        raise Http404
    return case


def case_url(case: Case) -> str:
    return reverse("backoffice_case", args=[case.pk])


# --- What the pages show ----------------------------------------------------------------------


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


def _status_label(value: str) -> str:
    return str(CaseStatus(value).label) if value in CaseStatus.values else value or NOTHING


def _rule_label(value: str) -> str:
    return str(Rule(value).label) if value in Rule.values else value


def subject_kind(case: Case) -> str:
    """What a case is about, masked: the kind of subject, never its value."""
    return _("Customer account") if case.subject_id else _("Network address")


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
            status=_status_label(case.status),
            subject=subject_kind(case),
            rules=rules[case.pk],
            assignee=people(case.assignee) if case.assignee_id else NOTHING,
        )
        for case in cases
    ]


@dataclass(frozen=True)
class Filters:
    status: str = ""
    rule: str = ""
    mine: bool = False


def read_filters(query) -> tuple[Filters, list[str]]:
    """The list's filters; a value the list does not know is left out, with a message."""
    problems = []
    status = query.get("status", "")
    if status and status not in CaseStatus.values:
        problems.append(_("There is no such status; showing every status."))
        status = ""
    rule = query.get("rule", "")
    if rule and rule not in Rule.values:
        problems.append(_("There is no such rule; showing every rule."))
        rule = ""
    return Filters(status=status, rule=rule, mine=query.get("mine") == "1"), problems


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
            change = f"{_status_label(event.from_status)} → {_status_label(event.to_status)}"
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
            "reversible": may_reverse
            and action.in_force
            and action.kind != ActionKind.CANCEL_ORDERS,
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
        "status": _status_label(case.status),
        "subject": subject_kind(case),
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


# --- Responses ----------------------------------------------------------------------------------


def _render(request: HttpRequest, template: str, context: dict, status: int = 200):
    context = {**backoffice_site.each_context(request), **context}
    response = TemplateResponse(request, template, context, status=status)
    response["Cache-Control"] = NO_STORE
    return response


def _case_page(
    request: HttpRequest, case: Case, *, refusal: ApplicationError | None = None
) -> HttpResponse:
    """The case page; opening it is recorded, the same after a refused step shows it again."""
    services.case_viewed_record(actor=request.user, case=case)
    posted = request.POST if refusal is not None else {}
    context = {
        "title": _("Case %(reference)s") % {"reference": case.reference},
        "detail": case_detail(request.user, case),
        "refusal": refusal,
        "field_errors": (refusal.field_errors or {}) if refusal is not None else {},
        "posted": posted,
        "ticked": posted.getlist("report_items") if refusal is not None else [],
    }
    status = (refusal.status_code or 400) if refusal is not None else 200
    return _render(request, "backoffice/cases/case.html", context, status=status)


# --- Pages ------------------------------------------------------------------------------------


@staff_view
def case_list(request: HttpRequest) -> HttpResponse:
    """Cases newest first, filtered by status, rule, and "assigned to me"."""
    _gate(request)
    filters, problems = read_filters(request.GET)
    cases = cases_for(request.user, status=filters.status, rule=filters.rule, mine=filters.mine)
    page = Paginator(cases, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "title": _("Irregular-activity cases"),
        "rows": list_rows(request.user, page.object_list),
        "page": page,
        "query": query.urlencode(),
        "filters": filters,
        "problems": problems,
        "statuses": CaseStatus.choices,
        "rules": Rule.choices,
    }
    return _render(request, "backoffice/cases/list.html", context, status=400 if problems else 200)


@staff_view
def case_page(request: HttpRequest, object_id: str) -> HttpResponse:
    _gate(request)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    return _case_page(request, _case_or_404(request, object_id))


Step = Callable[[HttpRequest, Case], str]


def _step(request: HttpRequest, object_id: str, permission: Permission, step: Step):
    """One POSTed step: checked, done by its service, then the case page again (or the refusal)."""
    _gate(request, permission)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    case = _case_or_404(request, object_id)
    try:
        done = step(request, case)
    except ApplicationError as refusal:
        case.refresh_from_db()
        return _case_page(request, case, refusal=refusal)
    messages.success(request, done)
    return redirect(case_url(case))


def _note(request: HttpRequest, case: Case) -> str:
    services.case_note_add(actor=request.user, case=case, text=request.POST.get("text", ""))
    return _("Note added.")


def _move(request: HttpRequest, case: Case) -> str:
    to = request.POST.get("to", "")
    if to not in CaseStatus.values:
        raise _input_error("to", _("Choose one of the buttons on the case page."))
    case = services.case_transition(
        actor=request.user,
        case=case,
        to=to,
        note=request.POST.get("note", ""),
    )
    return _("The case is now %(status)s.") % {"status": _status_label(case.status).lower()}


def _assign(request: HttpRequest, case: Case) -> str:
    # The button says whom: an incomplete or forged form assigns no one.
    if request.POST.get("assignee") != "me":
        raise _input_error("assignee", _("Choose one of the buttons on the case page."))
    services.case_assign(actor=request.user, case=case, assignee=request.user)
    return _("The case is assigned to you.")


def _legal_request(request: HttpRequest, case: Case) -> str:
    services.case_legal_request(
        actor=request.user, case=case, summary=request.POST.get("summary", "")
    )
    return _("Legal consultation requested.")


def _legal_decision(request: HttpRequest, case: Case) -> str:
    decision = request.POST.get("decision", "")
    if decision not in ("approve", "dismiss"):
        raise _input_error("decision", _("Choose to approve the report or dismiss the case."))
    case = services.case_legal_decide(
        actor=request.user,
        case=case,
        approve=decision == "approve",
        opinion=request.POST.get("opinion", ""),
        report_items=request.POST.getlist("report_items"),
    )
    return _("Decision recorded: the case is now %(status)s.") % {
        "status": _status_label(case.status).lower()
    }


def _report(request: HttpRequest, case: Case) -> str:
    files = services.case_report_generate(actor=request.user, case=case)
    return _("Report generated: %(kinds)s.") % {
        "kinds": ", ".join(file.kind.upper() for file in files)
    }


def _sent_at(raw: str) -> datetime:
    """The date (and time, when known) the report went out, in the store's time zone."""
    raw = (raw or "").strip()
    moment = None
    try:
        moment = parse_datetime(raw)
        if moment is None and (day := parse_date(raw)) is not None:
            moment = datetime.combine(day, datetime.min.time())
    except ValueError:
        moment = None
    if moment is None:
        raise _input_error("sent_at", _("Enter the date the report was sent, as YYYY-MM-DD."))
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _mark_reported(request: HttpRequest, case: Case) -> str:
    services.case_mark_reported(
        actor=request.user,
        case=case,
        authority=request.POST.get("authority", ""),
        sent_at=_sent_at(request.POST.get("sent_at", "")),
    )
    return _("The case is marked as reported.")


def _hours(raw: str) -> int:
    raw = (raw or "").strip()
    if not raw.isdigit():
        raise _input_error("hours", _("Enter the number of hours as a whole number."))
    return int(raw)


ACTIONS: dict[str, Callable[[HttpRequest, Case], object]] = {
    ActionKind.LOCK_ACCOUNT: lambda request, case: services.action_lock_account(
        actor=request.user, case=case
    ),
    ActionKind.CANCEL_ORDERS: lambda request, case: services.action_cancel_orders(
        actor=request.user, case=case
    ),
    ActionKind.BLOCK_ADDRESS: lambda request, case: services.action_block_address(
        actor=request.user, case=case, hours=_hours(request.POST.get("hours", ""))
    ),
}


def _action(request: HttpRequest, case: Case) -> str:
    kind = request.POST.get("kind", "")
    if kind not in ACTIONS:
        raise _input_error("kind", _("Choose one of the protective actions on the page."))
    ACTIONS[kind](request, case)
    return _("Protective action taken: %(action)s.") % {"action": ActionKind(kind).label}


def _reverse(request: HttpRequest, case: Case) -> str:
    pk = _id(request.POST.get("action", ""))
    action = case.actions.filter(pk=pk).first() if pk is not None else None
    if action is None:
        raise _input_error("action", _("Choose one of the actions listed on the case."))
    services.action_reverse(actor=request.user, case=case, action=action)
    return _("Protective action reversed: %(action)s.") % {"action": ActionKind(action.kind).label}


@staff_view
def case_note(request: HttpRequest, object_id: str) -> HttpResponse:
    return _step(request, object_id, P.CASES_VIEW, _note)


@staff_view
def case_move(request: HttpRequest, object_id: str) -> HttpResponse:
    return _step(request, object_id, P.CASES_WORK, _move)


@staff_view
def case_assign(request: HttpRequest, object_id: str) -> HttpResponse:
    return _step(request, object_id, P.CASES_WORK, _assign)


@staff_view
def case_legal_request(request: HttpRequest, object_id: str) -> HttpResponse:
    return _step(request, object_id, P.CASES_WORK, _legal_request)


@staff_view
def case_legal_decision(request: HttpRequest, object_id: str) -> HttpResponse:
    return _step(request, object_id, P.CASES_DECIDE, _legal_decision)


@staff_view
def case_report(request: HttpRequest, object_id: str) -> HttpResponse:
    return _step(request, object_id, P.CASES_VIEW, _report)


@staff_view
def case_reported(request: HttpRequest, object_id: str) -> HttpResponse:
    return _step(request, object_id, P.CASES_WORK, _mark_reported)


@staff_view
def case_action(request: HttpRequest, object_id: str) -> HttpResponse:
    return _step(request, object_id, P.CASES_WORK, _action)


@staff_view
def case_action_reverse(request: HttpRequest, object_id: str) -> HttpResponse:
    return _step(request, object_id, P.CASES_WORK, _reverse)


@staff_view
def case_report_download(request: HttpRequest, object_id: str) -> HttpResponse:
    """One file of the report package, as an attachment; the download is audited."""
    _gate(request)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    case = _case_or_404(request, object_id)
    pk = _id(request.GET.get("file", ""))
    file = case.report_files.filter(pk=pk).first() if pk is not None else None
    if file is None:
        raise Http404
    try:
        content = services.case_report_file_open(actor=request.user, case=case, file=file)
    except ApplicationError as refusal:
        return _case_page(request, case, refusal=refusal)
    response = HttpResponse(
        content, content_type=REPORT_TYPES.get(file.kind, "application/octet-stream")
    )
    response["Content-Disposition"] = f'attachment; filename="{report_file_name(case, file)}"'
    response["Cache-Control"] = NO_STORE
    response["X-Content-Type-Options"] = "nosniff"
    return response


@staff_view
def case_reveal(request: HttpRequest, object_id: str) -> HttpResponse:
    """POST a field: its value in clear for this response only; the reason is the case."""
    user = request.user
    posting = request.method == "POST"
    field = request.POST.get("field", "") if posting else ""
    allowed = services.case_revealable_fields(user) if has_permission(user, P.CASES_VIEW) else []
    client = request_client_ref(request)
    if posting and (not allowed or (field in services.CASE_REVEAL_FIELDS and field not in allowed)):
        _reveal_refused(request, object_id, field, client)
        raise PermissionDenied
    _gate(request)
    if not allowed:
        raise PermissionDenied  # legal counsel: the inventory names no value of theirs
    if not posting:
        return HttpResponseNotAllowed(["POST"])
    case = _case_or_404(request, object_id)
    try:
        if field not in allowed:
            raise _input_error("field", _("Choose one of the values offered on the case page."))
        value = services.case_reveal(actor=user, case=case, field=field, client=client)
    except ApplicationError as refusal:
        return _case_page(request, case, refusal=refusal)
    context = {
        "title": _("Revealed: %(record)s") % {"record": case.reference},
        "case": case,
        "label": str(REVEAL_LABELS.get(field, field)),
        "value": value or NOTHING,
        "back_url": case_url(case),
    }
    return _render(request, "backoffice/cases/revealed.html", context)


def _reveal_refused(request: HttpRequest, object_id: str, field: str, client: str) -> None:
    """Record a reveal the role does not allow (a forged request: the page offered no button).

    Only a field name the page knows goes to the log, never what was typed; the case is named
    by its reference, and its subject only to those who may open cases anyway.
    """
    pk = _id(object_id)
    case = None
    if pk is not None and has_permission(request.user, P.CASES_VIEW):
        case = case_for(request.user, pk)
    reference = f"CASE-{pk:06d}" if pk is not None else ""
    reveal_refused_record(
        actor=request.user,
        target_type=services.TARGET,
        target_id=reference,
        subject_id=case.subject_id if case is not None else None,
        fields=[field] if field in services.CASE_REVEAL_FIELDS else [],
        client=client,
    )


urlpatterns = [
    path("compliance/case/", case_list, name="backoffice_cases"),
    path("compliance/case/<path:object_id>/note/", case_note, name="backoffice_case_note"),
    path("compliance/case/<path:object_id>/move/", case_move, name="backoffice_case_move"),
    path("compliance/case/<path:object_id>/assign/", case_assign, name="backoffice_case_assign"),
    path(
        "compliance/case/<path:object_id>/legal/request/",
        case_legal_request,
        name="backoffice_case_legal_request",
    ),
    path(
        "compliance/case/<path:object_id>/legal/decision/",
        case_legal_decision,
        name="backoffice_case_legal_decision",
    ),
    path("compliance/case/<path:object_id>/report/", case_report, name="backoffice_case_report"),
    path(
        "compliance/case/<path:object_id>/report/download/",
        case_report_download,
        name="backoffice_case_report_download",
    ),
    path(
        "compliance/case/<path:object_id>/reported/",
        case_reported,
        name="backoffice_case_reported",
    ),
    path("compliance/case/<path:object_id>/action/", case_action, name="backoffice_case_action"),
    path(
        "compliance/case/<path:object_id>/action/reverse/",
        case_action_reverse,
        name="backoffice_case_action_reverse",
    ),
    path("compliance/case/<path:object_id>/reveal/", case_reveal, name="backoffice_case_reveal"),
    # Last: <path:> would also match the steps' addresses above.
    path("compliance/case/<path:object_id>/", case_page, name="backoffice_case"),
]
