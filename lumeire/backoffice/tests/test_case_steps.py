"""The case pages let through whom the step table of lumeire.compliance allows, the same table
the services check: change a row and the page, its buttons and the service change together."""

from __future__ import annotations

import pytest

from lumeire.accounts.tests.factories import make_customer
from lumeire.compliance import services
from lumeire.compliance.models import ActionKind, CaseEvent, CaseStatus, ProtectiveAction
from lumeire.compliance.steps import STEP_PERMISSIONS, CaseStep
from lumeire.compliance.tests.factories import make_case
from lumeire.core.errors import PermissionDeniedError
from lumeire.staff.access import Permission as P

pytestmark = pytest.mark.django_db

CASES = "/backoffice/compliance/case/"
NOTE = "Checked the declines with the payment provider."


def test_narrowing_a_step_closes_the_page_its_form_and_the_service(
    staff_client, officer, counsel, monkeypatch
):
    case = make_case(make_customer(), status=CaseStatus.UNDER_REVIEW)
    monkeypatch.setitem(STEP_PERMISSIONS, CaseStep.NOTE, (P.CASES_DECIDE,))
    as_officer = staff_client(officer)

    assert as_officer.post(f"{CASES}{case.pk}/note/", {"text": NOTE}).status_code == 403
    assert 'id="note-form"' not in as_officer.get(f"{CASES}{case.pk}/").content.decode()
    with pytest.raises(PermissionDeniedError):
        services.case_note_add(actor=officer, case=case, text=NOTE)
    assert not CaseEvent.objects.filter(case=case, kind="note").exists()

    assert staff_client(counsel).post(f"{CASES}{case.pk}/note/", {"text": NOTE}).status_code == 302
    assert CaseEvent.objects.filter(case=case, kind="note").count() == 1


def test_widening_a_step_opens_the_page_and_the_service_alike(staff_client, counsel, monkeypatch):
    """Were the service's permission written apart from the page's, this would be a 403."""
    customer = make_customer()
    case = make_case(customer, status=CaseStatus.UNDER_REVIEW)
    monkeypatch.setitem(STEP_PERMISSIONS, CaseStep.ACTION, (P.CASES_WORK, P.CASES_DECIDE))

    taken = staff_client(counsel).post(
        f"{CASES}{case.pk}/action/", {"kind": ActionKind.LOCK_ACCOUNT}
    )

    assert taken.status_code == 302
    customer.refresh_from_db()
    assert not customer.is_active
    assert ProtectiveAction.objects.get(case=case).taken_by_id == counsel.pk


@pytest.mark.parametrize(
    ("step", "allowed"),
    [
        ("legal/decision/", "Legal counsel"),
        ("move/", "Compliance officer"),
        ("action/", "Compliance officer"),
        ("action/reverse/", "Compliance officer"),
        ("reported/", "Compliance officer"),
    ],
)
def test_a_refused_role_gets_403_before_the_form_or_the_case_is_read(
    staff_client, officer, counsel, step, allowed
):
    case = make_case(make_customer(), status=CaseStatus.UNDER_REVIEW)
    refused = staff_client(counsel if allowed == "Compliance officer" else officer)
    let_in = staff_client(officer if allowed == "Compliance officer" else counsel)
    garbage = {"to": "x", "kind": "x", "action": "9" * 40, "sent_at": "x", "decision": "x"}

    assert refused.post(f"{CASES}{case.pk}/{step}", garbage).status_code == 403
    assert refused.post(f"{CASES}999999/{step}", garbage).status_code == 403
    assert let_in.post(f"{CASES}999999/{step}", garbage).status_code == 404
    assert let_in.post(f"{CASES}{case.pk}/{step}", garbage).status_code == 400
