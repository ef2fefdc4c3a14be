"""The case state machine, table-driven, and the two-person rule enforced by the services."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from lumeire.accounts.tests.factories import make_customer
from lumeire.audit.models import AuditAction, AuditEntry
from lumeire.audit.verification import verify_chain
from lumeire.compliance import services
from lumeire.compliance.errors import CaseConflict, CaseError
from lumeire.compliance.models import Case, CaseEvent, CaseEventKind, CaseStatus
from lumeire.compliance.tests.factories import STAFF_PASSWORD
from lumeire.core.errors import PermissionDeniedError
from lumeire.staff.services import staff_create

pytestmark = pytest.mark.django_db
S = CaseStatus
SUMMARY = "Six declined cards in ten minutes from one account; looks like card testing."
OPINION = "Reportable under the anti-fraud rules; send the identity data only."
_serial = itertools.count(1)


def make_staff(*, groups):
    serial = next(_serial)
    return staff_create(
        username=f"workflow{serial}",
        email=f"workflow{serial}@example.com",
        password=STAFF_PASSWORD,
        groups=groups,
    )


@pytest.fixture
def officer():
    return make_staff(groups=["Compliance officer"])


@pytest.fixture
def counsel():
    return make_staff(groups=["Legal counsel"])


@pytest.fixture
def case():
    return Case.objects.create(subject=make_customer())


def _walk(case, officer, counsel, to: CaseStatus) -> Case:
    """Bring a case to ``to`` through the services, the way staff would."""
    path = {
        S.OPEN: [],
        S.UNDER_REVIEW: ["review"],
        S.LEGAL_REQUESTED: ["review", "legal"],
        S.APPROVED: ["review", "legal", "approve"],
        S.DISMISSED: ["review", "dismiss"],
        S.REPORTED: ["review", "legal", "approve", "report"],
        S.CLOSED: ["review", "legal", "approve", "report", "close"],
    }[to]
    for step in path:
        if step == "review":
            case = services.case_transition(actor=officer, case=case, to=S.UNDER_REVIEW)
        elif step == "legal":
            case = services.case_legal_request(actor=officer, case=case, summary=SUMMARY)
        elif step == "approve":
            case = services.case_legal_decide(
                actor=counsel, case=case, approve=True, opinion=OPINION, report_items=[]
            )
        elif step == "dismiss":
            case = services.case_transition(
                actor=officer, case=case, to=S.DISMISSED, note="A shopper mistyping, no fraud."
            )
        elif step == "report":
            case.report_files.create(kind="json", sha256="0" * 64, size=1, sealed=b"x")
            case = services.case_mark_reported(
                actor=officer, case=case, authority="Public Prosecution", sent_at=timezone.now()
            )
        elif step == "close":
            case = services.case_transition(actor=officer, case=case, to=S.CLOSED)
    case.refresh_from_db()
    assert case.status == to
    return case


ALL_MOVES = list(itertools.product(S, S))


@pytest.mark.parametrize(
    ("start", "to"), ALL_MOVES, ids=[f"{a.value}->{b.value}" for a, b in ALL_MOVES]
)
def test_only_the_table_s_moves_are_made(start, to, case, officer, counsel):
    case = _walk(case, officer, counsel, start)
    allowed = (start, to) in services.TRANSITIONS
    attempt = {
        (S.UNDER_REVIEW, S.LEGAL_REQUESTED): lambda: services.case_legal_request(
            actor=officer, case=case, summary=SUMMARY
        ),
        (S.LEGAL_REQUESTED, S.APPROVED): lambda: services.case_legal_decide(
            actor=counsel, case=case, approve=True, opinion=OPINION
        ),
        (S.LEGAL_REQUESTED, S.DISMISSED): lambda: services.case_legal_decide(
            actor=counsel, case=case, approve=False, opinion=OPINION
        ),
        (S.APPROVED, S.REPORTED): lambda: (
            case.report_files.create(kind="pdf", sha256="1" * 64, size=1, sealed=b"x"),
            services.case_mark_reported(
                actor=officer, case=case, authority="Public Prosecution", sent_at=timezone.now()
            ),
        ),
    }.get(
        (start, to),
        lambda: services.case_transition(
            actor=counsel if start == S.LEGAL_REQUESTED else officer,
            case=case,
            to=to,
            note="Closing note long enough to pass.",
        ),
    )
    if allowed:
        attempt()
        case.refresh_from_db()
        assert case.status == to
    else:
        with pytest.raises((CaseConflict, CaseError, PermissionDeniedError)):
            attempt()
        case.refresh_from_db()
        assert case.status == start


def test_the_requester_cannot_decide_even_holding_both_roles(case):
    both = make_staff(groups=["Compliance officer", "Legal counsel"])
    case = _walk(case, both, None, S.LEGAL_REQUESTED)
    with pytest.raises(CaseError) as refused:
        services.case_legal_decide(actor=both, case=case, approve=True, opinion=OPINION)
    assert refused.value.code == "case_same_person"
    case.refresh_from_db()
    assert case.status == S.LEGAL_REQUESTED and case.legal_decided_by is None


def test_a_report_needs_an_approval_by_someone_else(case, officer, counsel):
    case = _walk(case, officer, counsel, S.UNDER_REVIEW)
    with pytest.raises(CaseConflict):
        services.case_report_generate(actor=officer, case=case)
    # A forged approval by the requester (written straight to the row) is still refused.
    case = services.case_legal_request(actor=officer, case=case, summary=SUMMARY)
    Case.objects.filter(pk=case.pk).update(status=S.APPROVED, legal_decided_by=officer)
    case.refresh_from_db()
    with pytest.raises(CaseError) as refused:
        services.case_report_generate(actor=officer, case=case)
    assert refused.value.code == "case_same_person"
    with pytest.raises(CaseError):
        services.case_mark_reported(
            actor=officer, case=case, authority="Public Prosecution", sent_at=timezone.now()
        )


def test_roles_outside_compliance_and_legal_cannot_work_cases(case, officer, counsel):
    owner = make_staff(groups=["Owner"])
    service = make_staff(groups=["Customer service"])
    for outsider in (owner, service):
        with pytest.raises(PermissionDeniedError):
            services.case_transition(actor=outsider, case=case, to=S.UNDER_REVIEW)
        with pytest.raises(PermissionDeniedError):
            services.case_note_add(actor=outsider, case=case, text="peeking")
    # Legal counsel decides but does not run the review; the officer cannot decide.
    with pytest.raises(PermissionDeniedError):
        services.case_transition(actor=counsel, case=case, to=S.UNDER_REVIEW)
    case = _walk(case, officer, counsel, S.LEGAL_REQUESTED)
    with pytest.raises(PermissionDeniedError):
        services.case_legal_decide(actor=officer, case=case, approve=True, opinion=OPINION)


def test_bad_input_is_refused_with_field_errors_and_changes_nothing(case, officer, counsel):
    with pytest.raises(CaseError) as empty:
        services.case_note_add(actor=officer, case=case, text="   ")
    assert "text" in empty.value.field_errors
    case = _walk(case, officer, counsel, S.UNDER_REVIEW)
    with pytest.raises(CaseError) as short:
        services.case_legal_request(actor=officer, case=case, summary="fraud")
    assert "summary" in short.value.field_errors
    with pytest.raises(CaseError):
        services.case_transition(actor=officer, case=case, to=S.DISMISSED, note="")
    with pytest.raises((CaseError, CaseConflict)):
        services.case_transition(actor=officer, case=case, to="nonsense")
    case.refresh_from_db()
    assert case.status == S.UNDER_REVIEW
    assert not CaseEvent.objects.filter(case=case, kind=CaseEventKind.NOTE).exists()


def test_every_step_is_in_the_audit_log_and_the_chain_holds(case, officer, counsel):
    services.case_viewed_record(actor=officer, case=case)
    services.case_note_add(actor=officer, case=case, text="Looked at the attempts.")
    _walk(case, officer, counsel, S.CLOSED)
    actions = list(
        AuditEntry.objects.filter(target_id=case.reference).values_list("action", flat=True)
    )
    for expected in (
        AuditAction.CASE_VIEWED,
        AuditAction.CASE_NOTE,
        AuditAction.CASE_CHANGED,
        AuditAction.LEGAL_REQUESTED,
        AuditAction.LEGAL_DECIDED,
        AuditAction.REPORT_SENT,
    ):
        assert expected in actions
    assert verify_chain().broken_at is None


def test_lock_and_reverse_restore_the_account(case, officer):
    subject = case.subject
    action = services.action_lock_account(actor=officer, case=case)
    subject.refresh_from_db()
    assert not subject.is_active
    services.action_reverse(actor=officer, case=case, action=action)
    subject.refresh_from_db()
    assert subject.is_active
    with pytest.raises(CaseConflict):
        services.action_reverse(actor=officer, case=case, action=action)


def test_an_address_block_lasts_its_hours_and_is_refused_outside_limits(officer):
    case = Case.objects.create(client_ref="b" * 64)
    with pytest.raises(CaseError):
        services.action_block_address(actor=officer, case=case, hours=0)
    [block] = services.action_block_address(actor=officer, case=case, hours=5)
    assert block.in_force
    assert timedelta(hours=4) < block.until - timezone.now() <= timedelta(hours=5)


def test_the_customer_sees_a_look_from_a_case_but_nothing_of_the_case_or_its_report(officer):
    """Every staff look stays visible to the customer; the report is the legal exception."""
    from lumeire.compliance.tests.factories import approved_case
    from lumeire.privacy.selectors import access_log_of_customer

    customer = make_customer()
    case = approved_case(customer, officer=officer, items=["identity"])
    services.case_reveal(actor=officer, case=case, field="identity_number")
    services.case_report_generate(actor=officer, case=case)

    entries = access_log_of_customer(customer_id=customer.pk).entries
    assert len(entries) == 1
    assert AuditEntry.objects.filter(
        subject_id=customer.pk, action=AuditAction.REPORT_GENERATED
    ).exists()
