"""The table of a case's steps, read by the services themselves; protective actions taken by kind;
which actions can be undone; forged reveals recorded."""

from __future__ import annotations

import pytest
from django.utils import timezone

from lumeire.accounts.pseudonyms import client_ref
from lumeire.accounts.tests.factories import make_customer
from lumeire.audit.models import AuditEntry
from lumeire.compliance import services
from lumeire.compliance.errors import CaseError
from lumeire.compliance.models import (
    REVERSIBLE_ACTIONS,
    ActionKind,
    CaseEvent,
    CaseStatus,
    ProtectiveAction,
)
from lumeire.compliance.steps import (
    STEP_PERMISSIONS,
    TRANSITIONS,
    CaseStep,
    may_take_step,
    require_step,
)
from lumeire.compliance.tests.factories import (
    STAFF_PASSWORD,
    approved_case,
    client_ref_for,
    make_case,
    make_compliance_officer,
    make_legal_counsel,
)
from lumeire.core.errors import PermissionDeniedError
from lumeire.staff.access import Permission as P
from lumeire.staff.services import staff_create

pytestmark = pytest.mark.django_db
S = CaseStatus
NOTE = "Checked the declines with the payment provider."
ADDRESS = "203.0.113.9"


def make_owner():
    return staff_create(
        username="owner", email="owner@example.com", password=STAFF_PASSWORD, groups=["Owner"]
    )


def test_the_table_names_every_step_and_what_each_needs():
    work, decide, view = (P.CASES_WORK,), (P.CASES_DECIDE,), (P.CASES_VIEW,)
    assert {step: set(needed) for step, needed in STEP_PERMISSIONS.items()} == {
        CaseStep.OPEN: set(view),
        CaseStep.NOTE: {P.CASES_WORK, P.CASES_DECIDE},
        CaseStep.MOVE: set(work),
        CaseStep.ASSIGN: set(work),
        CaseStep.LEGAL_REQUEST: set(work),
        CaseStep.LEGAL_DECISION: set(decide),
        CaseStep.REPORT: {P.CASES_WORK, P.CASES_DECIDE},
        CaseStep.MARK_REPORTED: set(work),
        CaseStep.ACTION: set(work),
        CaseStep.REVERSE_ACTION: set(work),
        CaseStep.REVEAL: set(view),
    }


def test_a_step_that_moves_a_case_needs_what_its_moves_need():
    for step, move in (
        (CaseStep.LEGAL_REQUEST, (S.UNDER_REVIEW, S.LEGAL_REQUESTED)),
        (CaseStep.LEGAL_DECISION, (S.LEGAL_REQUESTED, S.APPROVED)),
        (CaseStep.LEGAL_DECISION, (S.LEGAL_REQUESTED, S.DISMISSED)),
        (CaseStep.MARK_REPORTED, (S.APPROVED, S.REPORTED)),
        (CaseStep.MOVE, (S.OPEN, S.UNDER_REVIEW)),
        (CaseStep.MOVE, (S.REPORTED, S.CLOSED)),
    ):
        assert STEP_PERMISSIONS[step] == (TRANSITIONS[move],), step


def test_each_role_may_take_exactly_its_steps():
    officer, counsel, owner = make_compliance_officer(), make_legal_counsel(), make_owner()
    assert {step for step in CaseStep if may_take_step(officer, step)} == set(CaseStep) - {
        CaseStep.LEGAL_DECISION
    }
    assert {step for step in CaseStep if may_take_step(counsel, step)} == {
        CaseStep.OPEN,
        CaseStep.NOTE,
        CaseStep.LEGAL_DECISION,
        CaseStep.REPORT,
        CaseStep.REVEAL,
    }
    assert not any(may_take_step(owner, step) for step in CaseStep)
    for step in CaseStep:
        with pytest.raises(PermissionDeniedError):
            require_step(owner, step)


def test_the_services_read_the_table_not_a_copy_of_it(monkeypatch):
    """Change one row and the service itself refuses: nothing written, whoever the page let in."""
    officer, counsel = make_compliance_officer(), make_legal_counsel()
    case = make_case(make_customer())
    monkeypatch.setitem(STEP_PERMISSIONS, CaseStep.NOTE, (P.CASES_DECIDE,))
    entries = AuditEntry.objects.count()

    with pytest.raises(PermissionDeniedError):
        services.case_note_add(actor=officer, case=case, text=NOTE)
    assert AuditEntry.objects.count() == entries
    assert not CaseEvent.objects.filter(case=case, kind="note").exists()
    services.case_note_add(actor=counsel, case=case, text=NOTE)
    assert CaseEvent.objects.filter(case=case, kind="note").count() == 1


def test_roles_without_the_step_are_refused_by_each_service_and_nothing_changes():
    officer, counsel, owner = make_compliance_officer(), make_legal_counsel(), make_owner()
    customer = make_customer()
    case = make_case(customer, status=S.UNDER_REVIEW)
    lock = services.action_lock_account(actor=officer, case=case)
    approved = approved_case(make_customer(), officer=officer)
    events = CaseEvent.objects.count()
    entries = AuditEntry.objects.count()

    refused = {
        "counsel takes an action": lambda: services.case_action_take(
            actor=counsel, case=case, kind=ActionKind.CANCEL_ORDERS
        ),
        "counsel reverses an action": lambda: services.action_reverse(
            actor=counsel, case=case, action=lock
        ),
        "counsel assigns": lambda: services.case_assign(actor=counsel, case=case, assignee=officer),
        "counsel moves": lambda: services.case_transition(
            actor=counsel, case=case, to=S.DISMISSED, note=NOTE
        ),
        "counsel asks legal": lambda: services.case_legal_request(
            actor=counsel, case=case, summary=NOTE
        ),
        "counsel marks reported": lambda: services.case_mark_reported(
            actor=counsel, case=approved, authority="Public Prosecution", sent_at=timezone.now()
        ),
        "owner notes": lambda: services.case_note_add(actor=owner, case=case, text=NOTE),
        "owner opens": lambda: services.case_viewed_record(actor=owner, case=case),
        "owner reports": lambda: services.case_report_generate(actor=owner, case=approved),
        "owner reveals": lambda: services.case_reveal(
            actor=owner, case=case, field="identity_number"
        ),
    }
    let_through = []
    for name, attempt in refused.items():
        try:
            attempt()
        except PermissionDeniedError:
            continue
        let_through.append(name)
    assert let_through == []
    assert (CaseEvent.objects.count(), AuditEntry.objects.count()) == (events, entries)
    customer.refresh_from_db()
    lock.refresh_from_db()
    assert not customer.is_active and lock.reversed_at is None


def test_an_action_is_taken_by_its_kind_and_an_unknown_kind_changes_nothing():
    officer = make_compliance_officer()
    customer = make_customer()
    case = make_case(customer, client_ref_for(7), status=S.UNDER_REVIEW)

    [lock] = services.case_action_take(actor=officer, case=case, kind=ActionKind.LOCK_ACCOUNT)
    blocks = services.case_action_take(
        actor=officer, case=case, kind=ActionKind.BLOCK_ADDRESS, hours=2
    )
    with pytest.raises(CaseError) as unknown:
        services.case_action_take(actor=officer, case=case, kind="delete_account")

    customer.refresh_from_db()
    assert lock.kind == ActionKind.LOCK_ACCOUNT and not customer.is_active
    assert [block.kind for block in blocks] == [ActionKind.BLOCK_ADDRESS]
    assert unknown.value.field_errors == {
        "kind": ["Choose one of the protective actions on the page."]
    }
    assert ProtectiveAction.objects.filter(case=case).count() == 2
    with pytest.raises(CaseError) as too_long:
        services.case_action_take(
            actor=officer, case=case, kind=ActionKind.BLOCK_ADDRESS, hours=24 * 90 + 1
        )
    assert "hours" in too_long.value.field_errors


def test_only_locks_and_blocks_can_be_undone():
    assert {ActionKind.LOCK_ACCOUNT, ActionKind.BLOCK_ADDRESS} == REVERSIBLE_ACTIONS
    assert [ProtectiveAction(kind=kind).reversible for kind in ActionKind] == [
        kind != ActionKind.CANCEL_ORDERS for kind in ActionKind
    ]
    officer = make_compliance_officer()
    case = make_case(make_customer(), status=S.UNDER_REVIEW)
    [cancel] = services.case_action_take(actor=officer, case=case, kind=ActionKind.CANCEL_ORDERS)
    with pytest.raises(CaseError) as refused:
        services.action_reverse(actor=officer, case=case, action=cancel)
    assert refused.value.code == "case_action_not_reversible"
    cancel.refresh_from_db()
    assert cancel.reversed_at is None


def test_a_reveal_is_forged_when_no_page_offered_it():
    officer, counsel, owner = make_compliance_officer(), make_legal_counsel(), make_owner()
    assert not services.case_reveal_forged(officer, "identity_number")
    assert not services.case_reveal_forged(officer, "password")  # only a bad form: a 400
    assert services.case_revealable_fields(counsel) == []
    assert services.case_reveal_forged(counsel, "identity_number")
    assert services.case_reveal_forged(counsel, "")
    assert services.case_revealable_fields(owner) == []  # the inventory alone is not enough
    assert services.case_reveal_forged(owner, "email")


def test_a_forged_reveal_is_recorded_with_a_known_field_and_the_case_only():
    counsel, owner = make_legal_counsel(), make_owner()
    customer = make_customer()
    case = make_case(customer)

    services.case_reveal_refused_record(
        actor=counsel, case_id=case.pk, field="identity_number", client=client_ref(ADDRESS)
    )
    services.case_reveal_refused_record(actor=owner, case_id=case.pk, field="<typed text>")
    services.case_reveal_refused_record(actor=owner, case_id=None, field="email")

    rows = AuditEntry.objects.filter(action="reveal_refused").order_by("id")
    assert rows[0].client_ref == client_ref(ADDRESS)
    assert [(r.actor_id, r.target_id, r.subject_id, r.fields) for r in rows] == [
        (counsel.pk, case.reference, customer.pk, ["identity_number"]),
        (owner.pk, case.reference, None, []),  # the Owner may not open cases: no subject
        (owner.pk, "", None, ["email"]),
    ]
