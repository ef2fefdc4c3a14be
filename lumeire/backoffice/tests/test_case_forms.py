"""The forms of the case pages: each refuses input of the wrong shape with the page's message,
an id too long for the column never reaches the database, and no input answers a 500."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.http import QueryDict
from django.utils import timezone

from lumeire.accounts.tests.factories import make_customer
from lumeire.audit.models import AuditEntry
from lumeire.backoffice.cases import forms
from lumeire.backoffice.tests.factories import make_staff
from lumeire.compliance import services
from lumeire.compliance.models import ActionKind, Case, CaseEvent, CaseStatus
from lumeire.compliance.tests.factories import approved_case, client_ref_for, make_case

pytestmark = pytest.mark.django_db

CHOOSE_A_BUTTON = "Choose one of the buttons on the case page."
CHOOSE_A_DECISION = "Choose to approve the report or dismiss the case."
ENTER_SENT_ON = "Enter the date the report was sent, as YYYY-MM-DD."
ENTER_WHOLE_HOURS = "Enter the number of hours as a whole number."
CHOOSE_AN_ACTION_KIND = "Choose one of the protective actions on the page."
CHOOSE_A_LISTED_ACTION = "Choose one of the actions listed on the case."
CHOOSE_A_VALUE = "Choose one of the values offered on the case page."
TOO_LONG_IDS = ["9" * 19, "9" * 30, "9" * 5000, "1" + "0" * 18]
NOT_HOURS = ["", "many", "1.5", "-3", "+3", "²", "1e3", "0x10", "9" * 5000, "2 4"]


@pytest.fixture
def case() -> Case:
    return make_case(make_customer(), client_ref_for(1), status=CaseStatus.UNDER_REVIEW)


def refused(form: forms.CaseStepForm) -> forms.CaseInputError:
    assert not form.is_valid()
    return forms.form_refusal(form)


@pytest.mark.parametrize(
    ("form_class", "data", "field", "message"),
    [
        (forms.MoveForm, {}, "to", CHOOSE_A_BUTTON),
        (forms.MoveForm, {"to": "escalated"}, "to", CHOOSE_A_BUTTON),
        (forms.AssignForm, {}, "assignee", CHOOSE_A_BUTTON),
        (forms.AssignForm, {"assignee": "someone-else"}, "assignee", CHOOSE_A_BUTTON),
        (forms.LegalDecisionForm, {"opinion": "Fine."}, "decision", CHOOSE_A_DECISION),
        (forms.LegalDecisionForm, {"decision": "maybe"}, "decision", CHOOSE_A_DECISION),
        (forms.MarkReportedForm, {"authority": "Public Prosecution"}, "sent_at", ENTER_SENT_ON),
        (forms.MarkReportedForm, {"sent_at": "yesterday"}, "sent_at", ENTER_SENT_ON),
        (forms.MarkReportedForm, {"sent_at": "2024-02-30"}, "sent_at", ENTER_SENT_ON),
        (forms.MarkReportedForm, {"sent_at": "0001-01-01"}, "sent_at", ENTER_SENT_ON),
        (forms.MarkReportedForm, {"sent_at": "2024-01-01T10:00+25:00"}, "sent_at", ENTER_SENT_ON),
        (forms.ActionForm, {}, "kind", CHOOSE_AN_ACTION_KIND),
        (forms.ActionForm, {"kind": "delete_account"}, "kind", CHOOSE_AN_ACTION_KIND),
        (forms.ReverseActionForm, {}, "action", CHOOSE_A_LISTED_ACTION),
        (forms.ReverseActionForm, {"action": "12x"}, "action", CHOOSE_A_LISTED_ACTION),
        (forms.ReverseActionForm, {"action": "-1"}, "action", CHOOSE_A_LISTED_ACTION),
        (forms.ReverseActionForm, {"action": "١٢"}, "action", CHOOSE_A_LISTED_ACTION),
    ],
)
def test_a_form_refuses_the_wrong_shape_with_the_page_s_message(
    case, form_class, data, field, message
):
    refusal = refused(form_class(data, case=case))

    assert refusal.message == message
    assert refusal.field_errors == {field: [message]}
    assert (refusal.code, refusal.status_code) == ("case_input_invalid", 400)


@pytest.mark.parametrize("hours", NOT_HOURS)
def test_a_block_needs_its_hours_as_a_whole_number(case, hours):
    refusal = refused(
        forms.ActionForm({"kind": ActionKind.BLOCK_ADDRESS, "hours": hours}, case=case)
    )
    assert refusal.field_errors == {"hours": [ENTER_WHOLE_HOURS]}


def test_hours_are_read_only_for_a_block_and_their_limits_are_the_service_s(case):
    block = forms.ActionForm({"kind": ActionKind.BLOCK_ADDRESS, "hours": " 9999 "}, case=case)
    arabic = forms.ActionForm({"kind": ActionKind.BLOCK_ADDRESS, "hours": "٢٤"}, case=case)
    lock = forms.ActionForm({"kind": ActionKind.LOCK_ACCOUNT, "hours": "many"}, case=case)

    assert block.is_valid() and block.cleaned_data["hours"] == 9999  # 90 days is the service's
    assert arabic.is_valid() and arabic.cleaned_data["hours"] == 24
    assert lock.is_valid() and lock.cleaned_data["hours"] is None


@pytest.mark.parametrize("raw", TOO_LONG_IDS)
def test_an_id_too_long_for_the_column_is_refused_without_a_query(
    case, raw, django_assert_num_queries
):
    form = forms.ReverseActionForm({"action": raw}, case=case)
    with django_assert_num_queries(0):
        refusal = refused(form)
    assert refusal.field_errors == {"action": [CHOOSE_A_LISTED_ACTION]}
    assert forms.row_id(raw) is None


def test_only_an_action_of_this_case_is_chosen(case):
    officer = make_staff(groups=["Compliance officer"])
    other = make_case(make_customer(), status=CaseStatus.UNDER_REVIEW)
    [theirs] = services.case_action_take(actor=officer, case=other, kind=ActionKind.LOCK_ACCOUNT)
    [ours] = services.case_action_take(actor=officer, case=case, kind=ActionKind.LOCK_ACCOUNT)

    chosen = forms.ReverseActionForm({"action": f" {ours.pk} "}, case=case)
    assert chosen.is_valid() and chosen.cleaned_data["action"] == ours
    foreign = refused(forms.ReverseActionForm({"action": str(theirs.pk)}, case=case))
    assert foreign.message == CHOOSE_A_LISTED_ACTION


def test_the_date_sent_is_read_in_the_store_s_time_zone(case):
    day = forms.MarkReportedForm({"sent_at": "2024-02-01"}, case=case)
    moment = forms.MarkReportedForm({"sent_at": "2024-02-01T08:30:00+00:00"}, case=case)

    assert day.is_valid() and moment.is_valid()
    assert day.cleaned_data["sent_at"] == timezone.make_aware(datetime(2024, 2, 1))
    assert str(timezone.get_current_timezone()) == "Asia/Riyadh"
    assert moment.cleaned_data["sent_at"].isoformat() == "2024-02-01T08:30:00+00:00"


def test_the_decision_and_the_ticked_items_are_read_as_sent(case):
    data = QueryDict(mutable=True)
    data.update({"decision": "approve", "opinion": "  An opinion.  "})
    data.setlist("report_items", ["identity", "everything"])
    form = forms.LegalDecisionForm(data, case=case)

    assert form.is_valid()
    # Which items a report may hold, and how long an opinion is, are the legal service's rules.
    assert form.cleaned_data == {
        "decision": True,
        "opinion": "An opinion.",
        "report_items": ["identity", "everything"],
    }
    dismiss = forms.LegalDecisionForm({"decision": "dismiss"}, case=case)
    assert dismiss.is_valid() and dismiss.cleaned_data["decision"] is False


def test_a_reveal_names_a_value_offered(case):
    revealable = ["identity_number", "email"]
    assert forms.RevealForm({"field": "email"}, case=case, revealable=revealable).is_valid()
    for field in ("password", "date_of_birth", ""):
        form = forms.RevealForm({"field": field}, case=case, revealable=revealable)
        assert refused(form).field_errors == {"field": [CHOOSE_A_VALUE]}


def test_the_list_leaves_out_an_unknown_filter_with_a_message():
    filters, problems = forms.CaseFilterForm(
        QueryDict("status=lost&rule=guessing&mine=yes")
    ).filters()
    assert filters == forms.Filters(status="", rule="", mine=False)
    assert problems == [
        "There is no such status; showing every status.",
        "There is no such rule; showing every rule.",
    ]
    known, none = forms.CaseFilterForm(
        QueryDict("status=open&rule=order_velocity&mine=1")
    ).filters()
    assert (known, none) == (forms.Filters("open", "order_velocity", True), [])


# --- Through the pages: never a 500 ---------------------------------------------------------

HOSTILE = [
    ("note/", {"text": "A note with a \x00 null."}),
    ("move/", {"to": "\x00"}),
    ("move/", {"to": "dismissed", "note": "x" * 5000}),
    ("assign/", {"assignee": "me\x00"}),
    ("legal/request/", {"summary": "\x00" * 30}),
    ("action/", {"kind": ActionKind.BLOCK_ADDRESS, "hours": "²"}),
    ("action/", {"kind": ActionKind.BLOCK_ADDRESS, "hours": "9" * 5000}),
    ("action/", {"kind": ActionKind.BLOCK_ADDRESS, "hours": "9" * 40}),
    ("action/", {"kind": ["lock_account", "\x00"]}),
    ("action/reverse/", {"action": "9" * 19}),
    ("action/reverse/", {"action": "9" * 5000}),
    ("reported/", {"authority": "Public Prosecution", "sent_at": "0001-01-01"}),
    ("reported/", {"authority": "Public Prosecution", "sent_at": "9999-12-31T23:59:59-12:00"}),
    ("reported/", {"authority": "\x00", "sent_at": "\x00"}),
    ("report/download/?file=" + "9" * 5000, None),
    ("reveal/", {"field": "\x00"}),
    ("9" * 5000 + "/", None),
]


@pytest.mark.parametrize(("step", "data"), HOSTILE)
def test_no_input_answers_a_500(staff_client, step, data):
    """Odd input on an approved case with a report, where every step reads its form fully."""
    officer = make_staff(groups=["Compliance officer"])
    case = approved_case(make_customer(), client_ref_for(2), officer=officer)
    case.report_files.create(kind="json", sha256="0" * 64, size=1, sealed=b"x")
    client = staff_client(officer)
    client.raise_request_exception = False
    address = f"/backoffice/compliance/case/{case.pk}/{step}"
    if step.startswith("9"):
        address = f"/backoffice/compliance/case/{step}"
    events = CaseEvent.objects.count()

    response = client.get(address) if data is None else client.post(address, data)

    assert 400 <= response.status_code < 500, response.status_code
    assert CaseEvent.objects.count() == events
    case.refresh_from_db()
    assert case.status == CaseStatus.APPROVED
    assert not AuditEntry.objects.filter(action="reveal").exists()
