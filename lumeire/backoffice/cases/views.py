"""The case pages: the list, a case's page, the report's files and one POST view per step.

A step view lets through only whom ``lumeire.compliance.steps`` allows the step (403 before a
form is read or a case looked up), reads its form, and calls one compliance service. A form
that does not validate and a service's refusal end the same way: the case page again, with the
reason and its status.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from lumeire.backoffice.cases import forms
from lumeire.backoffice.cases.display import (
    NOTHING,
    REPORT_TYPES,
    REVEAL_LABELS,
    case_detail,
    case_url,
    list_rows,
    report_file_name,
    status_label,
)
from lumeire.backoffice.reveal import NO_STORE, request_client_ref
from lumeire.backoffice.sites import backoffice_site, staff_view
from lumeire.compliance import services
from lumeire.compliance.models import ActionKind, Case, CaseStatus, Rule
from lumeire.compliance.selectors import case_for, cases_for
from lumeire.compliance.steps import CaseStep, may_take_step
from lumeire.core.errors import ApplicationError

PER_PAGE = 50


def _gate(request: HttpRequest, step: CaseStep = CaseStep.OPEN) -> None:
    """Whoever the step table keeps out is refused before anything is read."""
    if not may_take_step(request.user, step):
        raise PermissionDenied


def _case_or_404(request: HttpRequest, object_id: str) -> Case:
    pk = forms.row_id(object_id)
    case = case_for(request.user, pk) if pk is not None else None
    if case is None:
        raise Http404
    return case


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
    filters, problems = forms.CaseFilterForm(request.GET).filters()
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


# --- Steps ------------------------------------------------------------------------------------

# A step's act: one compliance service called with the form's cleaned data; returns the message.
Act = Callable[[HttpRequest, Case, dict], str]


def _step(
    request: HttpRequest,
    object_id: str,
    step: CaseStep,
    form_class: type[forms.CaseStepForm],
    act: Act,
) -> HttpResponse:
    """One POSTed step: allowed, read, done by its service, then the case page (or the refusal)."""
    _gate(request, step)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    case = _case_or_404(request, object_id)
    form = form_class(request.POST, case=case)
    try:
        if not form.is_valid():
            raise forms.form_refusal(form)
        done = act(request, case, form.cleaned_data)
    except ApplicationError as refusal:
        case.refresh_from_db()
        return _case_page(request, case, refusal=refusal)
    messages.success(request, done)
    return redirect(case_url(case))


def _note(request: HttpRequest, case: Case, data: dict) -> str:
    services.case_note_add(actor=request.user, case=case, text=data["text"])
    return _("Note added.")


def _move(request: HttpRequest, case: Case, data: dict) -> str:
    case = services.case_transition(actor=request.user, case=case, to=data["to"], note=data["note"])
    return _("The case is now %(status)s.") % {"status": status_label(case.status).lower()}


def _assign(request: HttpRequest, case: Case, data: dict) -> str:
    services.case_assign(actor=request.user, case=case, assignee=request.user)
    return _("The case is assigned to you.")


def _legal_request(request: HttpRequest, case: Case, data: dict) -> str:
    services.case_legal_request(actor=request.user, case=case, summary=data["summary"])
    return _("Legal consultation requested.")


def _legal_decision(request: HttpRequest, case: Case, data: dict) -> str:
    case = services.case_legal_decide(
        actor=request.user,
        case=case,
        approve=data["decision"],
        opinion=data["opinion"],
        report_items=data["report_items"],
    )
    return _("Decision recorded: the case is now %(status)s.") % {
        "status": status_label(case.status).lower()
    }


def _report(request: HttpRequest, case: Case, data: dict) -> str:
    files = services.case_report_generate(actor=request.user, case=case)
    return _("Report generated: %(kinds)s.") % {
        "kinds": ", ".join(file.kind.upper() for file in files)
    }


def _mark_reported(request: HttpRequest, case: Case, data: dict) -> str:
    services.case_mark_reported(
        actor=request.user, case=case, authority=data["authority"], sent_at=data["sent_at"]
    )
    return _("The case is marked as reported.")


def _action(request: HttpRequest, case: Case, data: dict) -> str:
    kind = data["kind"]
    services.case_action_take(actor=request.user, case=case, kind=kind, hours=data["hours"])
    return _("Protective action taken: %(action)s.") % {"action": ActionKind(kind).label}


def _reverse(request: HttpRequest, case: Case, data: dict) -> str:
    action = services.action_reverse(actor=request.user, case=case, action=data["action"])
    return _("Protective action reversed: %(action)s.") % {"action": ActionKind(action.kind).label}


def _step_view(step: CaseStep, form_class: type[forms.CaseStepForm], act: Act):
    """The POST view of one step."""

    @staff_view
    def view(request: HttpRequest, object_id: str) -> HttpResponse:
        return _step(request, object_id, step, form_class, act)

    view.__name__ = view.__qualname__ = f"case_{step.value}"
    return view


case_note = _step_view(CaseStep.NOTE, forms.NoteForm, _note)
case_move = _step_view(CaseStep.MOVE, forms.MoveForm, _move)
case_assign = _step_view(CaseStep.ASSIGN, forms.AssignForm, _assign)
case_legal_request = _step_view(CaseStep.LEGAL_REQUEST, forms.LegalRequestForm, _legal_request)
case_legal_decision = _step_view(CaseStep.LEGAL_DECISION, forms.LegalDecisionForm, _legal_decision)
case_report = _step_view(CaseStep.REPORT, forms.ReportForm, _report)
case_reported = _step_view(CaseStep.MARK_REPORTED, forms.MarkReportedForm, _mark_reported)
case_action = _step_view(CaseStep.ACTION, forms.ActionForm, _action)
case_action_reverse = _step_view(CaseStep.REVERSE_ACTION, forms.ReverseActionForm, _reverse)


# --- The report's files and reveals -----------------------------------------------------------


@staff_view
def case_report_download(request: HttpRequest, object_id: str) -> HttpResponse:
    """One file of the report package, as an attachment; the download is audited."""
    _gate(request, CaseStep.REPORT)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    case = _case_or_404(request, object_id)
    pk = forms.row_id(request.GET.get("file", ""))
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
    client = request_client_ref(request)
    field = request.POST.get("field", "") if posting else ""
    # A reveal no page offered is refused and recorded first, whoever sent it.
    if posting and services.case_reveal_forged(user, field):
        services.case_reveal_refused_record(
            actor=user, case_id=forms.row_id(object_id), field=field, client=client
        )
        raise PermissionDenied
    _gate(request, CaseStep.REVEAL)
    revealable = services.case_revealable_fields(user)
    if not revealable:
        raise PermissionDenied  # legal counsel: the inventory names no value of theirs
    if not posting:
        return HttpResponseNotAllowed(["POST"])
    case = _case_or_404(request, object_id)
    form = forms.RevealForm(request.POST, case=case, revealable=revealable)
    try:
        if not form.is_valid():
            raise forms.form_refusal(form)
        field = form.cleaned_data["field"]
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
