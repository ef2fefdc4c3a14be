"""The case pages of the back office: compliance officers work cases, legal counsel decides.

Who reaches the pages, what each role sees, a whole case through the pages (from a card-testing
burst to a closed case), protective actions and their reversal, and bad input answered with a
message and the right status, never a 500. Every step is checked in the audit log.
"""

from __future__ import annotations

import ast
import html
import io
import json
import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.translation.template import templatize
from pypdf import PdfReader

from lumeire.accounts.models import User
from lumeire.accounts.tests.factories import make_customer
from lumeire.audit.models import AuditAction, AuditEntry
from lumeire.backoffice.masking import mask_text
from lumeire.backoffice.tests.access_matrix import (
    BACK_OFFICE,
    BACK_OFFICE_POSTS,
    CASE_REVEALERS,
    PRINCIPALS,
)
from lumeire.backoffice.tests.factories import make_staff
from lumeire.checkout.models import PaymentAttempt
from lumeire.checkout.tests.order_factories import place_order
from lumeire.compliance.detection import detect_sweep
from lumeire.compliance.models import (
    ActionKind,
    Case,
    CaseEvent,
    CaseEventKind,
    CaseStatus,
    ProtectiveAction,
    Rule,
    Signal,
)
from lumeire.compliance.selectors import blocked_addresses
from lumeire.orders.models import OrderStatus
from lumeire.staff.roles import Role

pytestmark = pytest.mark.django_db

COMPLIANCE = "Compliance officer"
LEGAL = "Legal counsel"
OTHER_ROLES = ("Owner", "Customer service", "Fulfilment", "Catalogue manager", "Analyst")
CASES = "/backoffice/compliance/case/"
ADDRESS = "a" * 64  # a client address's keyed hash, as the payment attempts keep it


def url(case: Case, step: str = "") -> str:
    return f"{CASES}{case.pk}/{step}"


def make_case(
    *,
    subject: User | None = None,
    client_ref: str = "",
    rule: str = Rule.CARD_TESTING_ACCOUNT,
    status: str = CaseStatus.OPEN,
    assignee: User | None = None,
    score: int = 40,
) -> Case:
    """A case with one signal over one event reference, as detection would leave it."""
    now = timezone.now()
    case = Case.objects.create(
        subject=subject, client_ref=client_ref, status=status, assignee=assignee, score=score
    )
    Signal.objects.create(
        case=case,
        rule=rule,
        subject=subject,
        client_ref=client_ref,
        score=score,
        first_event_at=now - timedelta(minutes=5),
        last_event_at=now,
        event_refs=[
            {
                "source": "checkout.paymentattempt",
                "id": "1",
                "at": now.isoformat(),
                "what": "declined",
            }
        ],
    )
    return case


def text_of(response) -> str:
    """The page's main content as plain text, for reading what a person sees."""
    page = response.content.decode()
    page = page[page.find('id="content-main"') :]
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def actions_of(case: Case) -> list[str]:
    """The audit log's actions about this case (its own entries and its report files')."""
    entries = AuditEntry.objects.filter(target_id=case.reference) | AuditEntry.objects.filter(
        reason=case.reference
    )
    return list(entries.order_by("id").values_list("action", flat=True))


# --- The list --------------------------------------------------------------------------------


def test_the_list_filters_by_status_rule_and_assignee_and_shows_no_value(staff_client, officer):
    customer = make_customer()
    mine = make_case(subject=customer, status=CaseStatus.UNDER_REVIEW, assignee=officer)
    by_address = make_case(client_ref=ADDRESS, rule=Rule.STUFFING_ADDRESS, score=70)
    other = make_case(subject=make_customer(), rule=Rule.ORDER_VELOCITY)
    client = staff_client(officer)

    every = client.get(CASES)
    assert every.status_code == 200
    page = every.content.decode()
    for case in (mine, by_address, other):
        assert case.reference in page
    shown = text_of(every)
    assert "Customer account" in shown and "Network address" in shown
    assert "Failed sign-ins on many accounts from one address" in shown
    # No personal value and no hash of one: only what kind of subject a case is about.
    assert customer.email not in page and ADDRESS not in page
    assert customer.customer.identity_number not in page

    reviewing = client.get(CASES, {"status": CaseStatus.UNDER_REVIEW}).content.decode()
    assert mine.reference in reviewing and other.reference not in reviewing

    velocity = client.get(CASES, {"rule": Rule.ORDER_VELOCITY}).content.decode()
    assert other.reference in velocity and mine.reference not in velocity

    assigned = client.get(CASES, {"mine": "1"})
    assert mine.reference in assigned.content.decode()
    assert by_address.reference not in assigned.content.decode()
    assert "You" in text_of(assigned)

    unknown = client.get(CASES, {"status": "lost", "rule": "guessing"})
    assert unknown.status_code == 400
    assert "There is no such status" in text_of(unknown)
    assert "There is no such rule" in text_of(unknown)


def test_the_list_reads_rules_and_assignees_in_a_fixed_number_of_queries(staff_client, officer):
    """More cases on the page cost no more queries (no rule or assignee read per row)."""
    colleague = make_staff(groups=[COMPLIANCE])
    make_case(subject=make_customer(), assignee=colleague)
    client = staff_client(officer)
    client.get(CASES)  # warm the session and the role caches
    with CaptureQueriesContext(connection) as one:
        assert client.get(CASES).status_code == 200
    for rule in (Rule.ORDER_VELOCITY, Rule.STUFFING_ADDRESS, Rule.CARD_TESTING_ACCOUNT):
        make_case(subject=make_customer(), rule=rule, assignee=colleague)
        make_case(client_ref=ADDRESS, rule=rule)
    with CaptureQueriesContext(connection) as seven:
        page = client.get(CASES)
    assert page.content.decode().count('data-case="') == 7
    assert len(seven.captured_queries) == len(one.captured_queries)


def test_only_compliance_and_legal_reach_cases_and_see_them_in_the_menu(staff_client, officer):
    case = make_case(subject=make_customer())
    for group in (COMPLIANCE, LEGAL):
        client = staff_client(make_staff(groups=[group]))
        assert client.get(CASES).status_code == 200
        assert client.get(url(case)).status_code == 200
        assert f'href="{CASES}"' in client.get("/backoffice/").content.decode()
    for group in OTHER_ROLES:
        client = staff_client(make_staff(groups=[group]))
        assert client.get(CASES).status_code == 403, group
        assert client.get(url(case)).status_code == 403, group
        assert client.post(url(case, "note/"), {"text": "A note."}).status_code == 403, group
        assert f'href="{CASES}"' not in client.get("/backoffice/").content.decode(), group
    customer = Client()
    customer.force_login(make_customer(), backend="lumeire.accounts.backends.LoginBackend")
    assert customer.get(CASES).status_code == 302
    assert not CaseEvent.objects.filter(case=case, kind=CaseEventKind.NOTE).exists()


def test_the_compliance_officer_sees_the_work_and_opening_a_case_is_recorded(staff_client, officer):
    customer = make_customer()
    case = make_case(subject=customer, client_ref=ADDRESS)
    response = staff_client(officer).get(url(case))

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    for form in ("assign-form", "moves", "take-actions", "note-form", "reveal-buttons"):
        assert f'id="{form}"' in page, form
    assert "Start the review" in page and "Lock the account" in page
    assert 'id="legal-decision-form"' not in page
    assert "Card payment attempt" in page and "Card declined" in page
    assert customer.email not in page and customer.customer.identity_number not in page
    viewed = AuditEntry.objects.get(action=AuditAction.CASE_VIEWED)
    assert (viewed.actor_id, viewed.target_id) == (officer.pk, case.reference)


@pytest.mark.parametrize("group", [COMPLIANCE, LEGAL])
def test_the_case_names_its_customer_masked_with_a_link_to_them(staff_client, group):
    customer = make_customer()
    case = make_case(subject=customer)
    client = staff_client(make_staff(groups=[group]))

    response = client.get(url(case))

    page = response.content.decode()
    masked = mask_text(customer.customer.full_name)
    customer_url = f"/backoffice/accounts/customer/{customer.pk}/change/"
    link = re.search(r'<dd id="case-customer"[^>]*>(.*?)</dd>', page, re.DOTALL).group(1)
    assert f'<a href="{customer_url}">{masked}</a>' in link
    assert str(customer.customer.full_name) not in page  # never in clear
    assert client.get(customer_url).status_code == 200  # the access model opens the link


@pytest.mark.parametrize("group", OTHER_ROLES)
def test_roles_without_cases_see_neither_the_case_nor_its_customer(staff_client, group):
    customer = make_customer()
    case = make_case(subject=customer)

    response = staff_client(make_staff(groups=[group])).get(url(case))

    assert response.status_code == 403
    assert mask_text(customer.customer.full_name) not in response.content.decode()


def test_without_the_customer_pages_a_case_names_no_customer(staff_client, officer, monkeypatch):
    from lumeire.backoffice.cases import display
    from lumeire.staff.access import Permission

    customer = make_customer()
    case = make_case(subject=customer)
    opens = display.has_permission
    monkeypatch.setattr(
        display,
        "has_permission",
        lambda user, permission: (
            permission != Permission.CUSTOMERS_VIEW and opens(user, permission)
        ),
    )

    page = staff_client(officer).get(url(case)).content.decode()

    assert 'id="case-customer"' not in page
    assert mask_text(customer.customer.full_name) not in page
    assert f"/backoffice/accounts/customer/{customer.pk}/" not in page


def test_a_case_about_a_network_address_names_no_customer(staff_client, officer):
    case = make_case(client_ref=ADDRESS, rule=Rule.STUFFING_ADDRESS)

    page = staff_client(officer).get(url(case)).content.decode()

    assert 'id="case-customer"' not in page
    assert "Network address" in page


def test_the_case_customer_reads_in_arabic(staff_client, officer):
    customer = make_customer()
    case = make_case(subject=customer)

    page = staff_client(officer).get(url(case), HTTP_ACCEPT_LANGUAGE="ar").content.decode()

    assert "<dt>عميل</dt>" in page
    assert mask_text(customer.customer.full_name) in page


def test_legal_counsel_sees_the_decision_form_and_no_work_buttons(staff_client, officer, counsel):
    case = make_case(subject=make_customer())
    Case.objects.filter(pk=case.pk).update(
        status=CaseStatus.LEGAL_REQUESTED,
        legal_requested_by=officer,
        legal_requested_at=timezone.now(),
        legal_summary="Six declined cards in ten minutes on one account.",
    )
    page = staff_client(counsel).get(url(case)).content.decode()

    assert 'id="legal-decision-form"' in page
    for key in ("identity", "contact", "financial"):
        assert f'name="report_items" value="{key}"' in page
    assert "Six declined cards in ten minutes" in page
    for form in ("assign-form", "moves", "take-actions", "reveal-buttons", "legal-request-form"):
        assert f'id="{form}"' not in page, form
    assert 'id="note-form"' in page


# --- A case from detection to closing ------------------------------------------------------


def card_testing_case(customer: User) -> Case:
    """Declined cards in a burst on one account from one address, as the test gateway leaves
    them; the sweep opens the case."""
    now = timezone.now()
    for minute in range(8):
        PaymentAttempt.objects.create(
            customer=customer,
            approved=False,
            amount=Decimal("10.00"),
            client_hash=ADDRESS,
            at=now - timedelta(minutes=10 - minute),
        )
    detect_sweep()
    return Case.objects.get(subject=customer)


def test_a_case_from_review_to_legal_approval_report_and_closing(staff_client):
    customer = make_customer()
    case = card_testing_case(customer)
    # The officer is given both roles: the service still refuses that they decide.
    both = make_staff(groups=[COMPLIANCE, LEGAL])
    officer = staff_client(both)

    assert officer.get(url(case)).status_code == 200
    started = officer.post(url(case, "move/"), {"to": CaseStatus.UNDER_REVIEW})
    assert started.status_code == 302 and started["Location"] == url(case)
    case.refresh_from_db()
    assert (case.status, case.assignee_id) == (CaseStatus.UNDER_REVIEW, both.pk)
    assert "The case is now under review." in officer.get(url(case)).content.decode()

    short = officer.post(url(case, "legal/request/"), {"summary": "Too short."})
    assert short.status_code == 400
    assert "Write at least 20 characters." in text_of(short)
    asked = officer.post(
        url(case, "legal/request/"),
        {"summary": "Eight declined cards in ten minutes from one address on one account."},
    )
    assert asked.status_code == 302

    # The one who asked sees no form, and a forged decision is refused by the service.
    own_page = officer.get(url(case)).content.decode()
    assert 'id="same-person"' in own_page and 'id="legal-decision-form"' not in own_page
    decision = {
        "decision": "approve",
        "opinion": "The pattern is card testing; reporting is proportionate and lawful.",
        "report_items": ["identity", "financial"],
    }
    refused = officer.post(url(case, "legal/decision/"), decision)
    assert refused.status_code == 403
    assert "cannot decide it" in text_of(refused)
    case.refresh_from_db()
    assert case.status == CaseStatus.LEGAL_REQUESTED

    counsel = staff_client(make_staff(groups=[LEGAL]))
    approved = counsel.post(url(case, "legal/decision/"), decision)
    assert approved.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.APPROVED
    assert case.report_items == ["identity", "financial"]

    generated = officer.post(url(case, "report/"))
    assert generated.status_code == 302
    files = {file.kind: file for file in case.report_files.all()}
    assert set(files) == {"json", "pdf"}
    page = officer.get(url(case)).content.decode()
    assert files["json"].sha256 in page

    download = url(case, "report/download/")
    as_json = officer.get(download, {"file": files["json"].pk})
    assert as_json.status_code == 200
    assert as_json["Content-Type"] == "application/json"
    assert as_json["Content-Disposition"] == (
        f'attachment; filename="{case.reference}-report.json"'
    )
    report = json.loads(as_json.content)
    assert set(report["personal_data"]) == {"identity", "financial"}
    as_pdf = counsel.get(download, {"file": files["pdf"].pk})
    assert as_pdf.status_code == 200
    assert as_pdf["Content-Disposition"] == f'attachment; filename="{case.reference}-report.pdf"'
    pdf_text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(as_pdf.content)).pages)
    assert case.reference in pdf_text
    assert officer.get(download, {"file": "999999"}).status_code == 404

    bad_date = officer.post(
        url(case, "reported/"), {"authority": "Public Prosecution", "sent_at": "yesterday"}
    )
    assert bad_date.status_code == 400
    assert "as YYYY-MM-DD" in text_of(bad_date)
    sent_on = timezone.localdate().isoformat()
    reported = officer.post(
        url(case, "reported/"), {"authority": "Public Prosecution", "sent_at": sent_on}
    )
    assert reported.status_code == 302
    closed = officer.post(url(case, "move/"), {"to": CaseStatus.CLOSED})
    assert closed.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.authority) == (CaseStatus.CLOSED, "Public Prosecution")
    assert case.reported_by_id == both.pk and case.legal_decided_by_id != both.pk

    steps = actions_of(case)
    for action in (
        AuditAction.CASE_VIEWED,
        AuditAction.CASE_CHANGED,
        AuditAction.LEGAL_REQUESTED,
        AuditAction.LEGAL_DECIDED,
        AuditAction.REPORT_GENERATED,
        AuditAction.REPORT_DOWNLOADED,
        AuditAction.REPORT_SENT,
    ):
        assert action in steps, action
    assert steps.count(AuditAction.LEGAL_DECIDED) == 1
    assert steps.count(AuditAction.REPORT_DOWNLOADED) == 2
    generated_entries = AuditEntry.objects.filter(action=AuditAction.REPORT_GENERATED)
    assert {entry.target_id for entry in generated_entries} == {f.sha256 for f in files.values()}
    moves = (
        AuditEntry.objects.filter(
            action=AuditAction.CASE_CHANGED, target_id=case.reference, fields=["status"]
        )
        .order_by("id")
        .values_list("reason", flat=True)
    )
    assert list(moves) == [
        "open -> under_review",
        "under_review -> legal_requested",
        "legal_requested -> approved",
        "approved -> reported",
        "reported -> closed",
    ]


def test_a_dismissal_needs_a_note(staff_client, officer):
    case = make_case(subject=make_customer(), status=CaseStatus.UNDER_REVIEW)
    client = staff_client(officer)

    silent = client.post(url(case, "move/"), {"to": CaseStatus.DISMISSED, "note": "No."})
    assert silent.status_code == 400
    assert "Write at least 10 characters." in text_of(silent)
    dismissed = client.post(
        url(case, "move/"),
        {"to": CaseStatus.DISMISSED, "note": "The declines were a bank outage."},
    )
    assert dismissed.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.DISMISSED
    assert "The declines were a bank outage." in client.get(url(case)).content.decode()


# --- Protective actions --------------------------------------------------------------------


def test_protective_actions_are_taken_recorded_and_reversed(
    staff_client, officer, django_capture_on_commit_callbacks
):
    customer = make_customer()
    order = place_order(customer=customer)
    case = make_case(subject=customer, client_ref=ADDRESS, status=CaseStatus.UNDER_REVIEW)
    client = staff_client(officer)

    assert client.post(url(case, "action/"), {"kind": ActionKind.LOCK_ACCOUNT}).status_code == 302
    customer.refresh_from_db()
    assert not customer.is_active
    # The blocked addresses are cached; a block or its reversal forgets them once committed.
    with django_capture_on_commit_callbacks(execute=True):
        blocked = client.post(
            url(case, "action/"), {"kind": ActionKind.BLOCK_ADDRESS, "hours": "24"}
        )
    assert blocked.status_code == 302
    assert ADDRESS in blocked_addresses()
    cancelled = client.post(url(case, "action/"), {"kind": ActionKind.CANCEL_ORDERS})
    assert cancelled.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED

    page = client.get(url(case))
    assert "In force" in text_of(page) and "1 order" in text_of(page)

    lock = ProtectiveAction.objects.get(case=case, kind=ActionKind.LOCK_ACCOUNT)
    block = ProtectiveAction.objects.get(case=case, kind=ActionKind.BLOCK_ADDRESS)
    cancel = ProtectiveAction.objects.get(case=case, kind=ActionKind.CANCEL_ORDERS)
    assert client.post(url(case, "action/reverse/"), {"action": lock.pk}).status_code == 302
    customer.refresh_from_db()
    assert customer.is_active
    with django_capture_on_commit_callbacks(execute=True):
        unblocked = client.post(url(case, "action/reverse/"), {"action": block.pk})
    assert unblocked.status_code == 302
    assert ADDRESS not in blocked_addresses()
    again = client.post(url(case, "action/reverse/"), {"action": block.pk})
    assert again.status_code == 409
    assert "already reversed" in text_of(again)
    kept = client.post(url(case, "action/reverse/"), {"action": cancel.pk})
    assert kept.status_code == 400
    assert "Cancelled orders cannot be restored" in text_of(kept)

    recorded = AuditEntry.objects.filter(action=AuditAction.CASE_ACTION, target_id=case.reference)
    assert recorded.count() == 5  # three taken, two reversed
    kinds = CaseEvent.objects.filter(case=case).values_list("kind", flat=True)
    assert list(kinds).count(CaseEventKind.ACTION_REVERSED) == 2


def test_legal_counsel_cannot_take_protective_actions(staff_client, counsel):
    customer = make_customer()
    case = make_case(subject=customer, status=CaseStatus.UNDER_REVIEW)

    refused = staff_client(counsel).post(url(case, "action/"), {"kind": ActionKind.LOCK_ACCOUNT})
    assert refused.status_code == 403
    customer.refresh_from_db()
    assert customer.is_active and not ProtectiveAction.objects.exists()


# --- Reveal from within the case -----------------------------------------------------------


def test_the_officer_reveals_a_value_with_the_case_as_reason(staff_client, officer, counsel):
    customer = make_customer()
    case = make_case(subject=customer)
    number = customer.customer.identity_number

    revealed = staff_client(officer).post(url(case, "reveal/"), {"field": "identity_number"})
    assert revealed.status_code == 200
    assert number in revealed.content.decode()
    assert "no-store" in revealed["Cache-Control"]
    entry = AuditEntry.objects.get(action=AuditAction.REVEAL)
    assert (entry.target_id, entry.reason, entry.fields) == (
        case.reference,
        case.reference,
        ["identity_number"],
    )
    assert number not in staff_client(officer).get(url(case)).content.decode()

    # Legal counsel is offered no reveal; a forged one is refused and recorded.
    forged = staff_client(counsel).post(url(case, "reveal/"), {"field": "identity_number"})
    assert forged.status_code == 403
    assert number not in forged.content.decode()
    refusal = AuditEntry.objects.get(action=AuditAction.REVEAL_REFUSED)
    assert (refusal.actor_id, refusal.fields) == (counsel.pk, ["identity_number"])
    owner = staff_client(make_staff(groups=["Owner"]))
    assert owner.post(url(case, "reveal/"), {"field": "identity_number"}).status_code == 403
    assert AuditEntry.objects.filter(action=AuditAction.REVEAL).count() == 1


# --- Bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("step", "data", "status", "message"),
    [
        ("note/", {"text": "   "}, 400, "This cannot be empty."),
        ("move/", {"to": "escalated"}, 400, "Choose one of the buttons on the case page."),
        (
            "move/",
            {"to": CaseStatus.LEGAL_REQUESTED},
            400,
            "Use the case's own form for this step.",
        ),
        ("move/", {"to": CaseStatus.REPORTED}, 409, "cannot become reported"),
        ("move/", {"to": CaseStatus.CLOSED}, 409, "cannot become closed"),
        ("legal/request/", {"summary": "Short."}, 400, "Write at least 20 characters."),
        ("action/", {"kind": "delete_account"}, 400, "Choose one of the protective actions"),
        ("action/", {"kind": ActionKind.BLOCK_ADDRESS, "hours": "many"}, 400, "whole number"),
        ("action/", {"kind": ActionKind.BLOCK_ADDRESS, "hours": "9999"}, 400, "between 1 hour"),
        ("action/reverse/", {"action": "12x"}, 400, "Choose one of the actions listed"),
        ("assign/", {}, 400, "Choose one of the buttons on the case page."),
        ("report/", {}, 409, "Only a case the legal department approved"),
        ("reported/", {"authority": "X", "sent_at": "2024-02-30"}, 400, "as YYYY-MM-DD"),
        ("reveal/", {"field": "password"}, 400, "Choose one of the values offered"),
    ],
)
def test_bad_input_is_a_message_with_its_status(staff_client, officer, step, data, status, message):
    case = make_case(subject=make_customer(), client_ref=ADDRESS, status=CaseStatus.UNDER_REVIEW)
    before = list(CaseEvent.objects.filter(case=case).values_list("id", flat=True))

    response = staff_client(officer).post(url(case, step), data)

    assert response.status_code == status
    assert message in text_of(response)
    assert 'id="refusal"' in response.content.decode()
    assert list(CaseEvent.objects.filter(case=case).values_list("id", flat=True)) == before
    case.refresh_from_db()
    assert case.status == CaseStatus.UNDER_REVIEW


def test_the_legal_form_refuses_a_missing_decision_and_unknown_items(
    staff_client, officer, counsel
):
    case = make_case(subject=make_customer())
    Case.objects.filter(pk=case.pk).update(
        status=CaseStatus.LEGAL_REQUESTED, legal_requested_by=officer
    )
    client = staff_client(counsel)
    opinion = "Reporting is not proportionate for this pattern of events."

    undecided = client.post(url(case, "legal/decision/"), {"opinion": opinion})
    assert undecided.status_code == 400
    assert "Choose to approve the report or dismiss the case." in text_of(undecided)
    assert opinion in undecided.content.decode()  # what was typed is kept
    unknown = client.post(
        url(case, "legal/decision/"),
        {"decision": "approve", "opinion": opinion, "report_items": ["everything"]},
    )
    assert unknown.status_code == 400
    assert "Tick only the listed kinds of data." in text_of(unknown)
    case.refresh_from_db()
    assert case.status == CaseStatus.LEGAL_REQUESTED


def test_missing_cases_and_wrong_methods(staff_client, officer):
    client = staff_client(officer)
    case = make_case(subject=make_customer())

    assert client.get(f"{CASES}999999/").status_code == 404
    assert client.get(f"{CASES}not-a-case/").status_code == 404
    assert client.get(f"{CASES}{'9' * 30}/").status_code == 404  # beyond the id column
    assert client.post(f"{CASES}999999/note/", {"text": "A note."}).status_code == 404
    assert client.get(url(case, "note/")).status_code == 405
    assert client.post(url(case)).status_code == 405


def test_every_post_needs_the_csrf_token(staff_client, officer):
    case = make_case(subject=make_customer())
    signed_in = staff_client(officer)
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = signed_in.cookies

    assert strict.post(url(case, "note/"), {"text": "Without a token."}).status_code == 403
    strict.get(url(case))
    token = strict.cookies[settings.CSRF_COOKIE_NAME].value
    posted = strict.post(
        url(case, "note/"), {"text": "With a token.", "csrfmiddlewaretoken": token}
    )
    assert posted.status_code == 302
    assert list(
        CaseEvent.objects.filter(case=case, kind=CaseEventKind.NOTE).values_list("text", flat=True)
    ) == ["With a token."]


# --- The access matrix's rows for cases ----------------------------------------------------


def test_the_case_rows_of_the_access_matrix_hold():
    """The matrix rows of the case pages, requested with a real case by every visitor."""
    from lumeire.backoffice.tests.test_access_matrix import World, _addresses

    world = World()
    # World names a case itself once test_access_matrix.py knows the case pages.
    if "compliance.case" not in world.objects:
        world.objects["compliance.case"] = make_case(subject=world.customer, client_ref=ADDRESS)
    case = world.objects["compliance.case"]
    routes = [route for route in BACK_OFFICE if route.startswith("backoffice/compliance/")]
    assert len(routes) == 13
    wrong = []
    for route in routes:
        address = world.back_office_urls(route)[""]
        for principal in PRINCIPALS:
            got = world.browsers[principal].get(address, REMOTE_ADDR=next(_addresses))
            if got.status_code != BACK_OFFICE[route][principal]:
                wrong.append(f"GET {address} as {principal}: {got.status_code}")
        if route in BACK_OFFICE_POSTS:
            data, row = BACK_OFFICE_POSTS[route]
            for principal in PRINCIPALS:
                got = world.browsers[principal].post(address, data, REMOTE_ADDR=next(_addresses))
                if got.status_code != row[principal]:
                    wrong.append(f"POST {address} as {principal}: {got.status_code}")

    assert wrong == [], "\n".join(wrong)
    case.refresh_from_db()
    assert (case.status, case.assignee_id) == (CaseStatus.OPEN, None)
    assert not AuditEntry.objects.filter(action=AuditAction.REVEAL).exists()
    assert CASE_REVEALERS == (Role.COMPLIANCE_OFFICER,)


# --- Arabic ----------------------------------------------------------------------------------

LUMEIRE = Path(settings.BASE_DIR) / "lumeire"
CATALOGUE = LUMEIRE / "compliance" / "locale" / "ar" / "LC_MESSAGES"
GETTEXT_CALL = re.compile(r"""(?<![n])gettext\(u?('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")\)""")
NGETTEXT_CALL = re.compile(
    r"""ngettext\(u?('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"),\s*u?('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")"""
)
SHOWN_PYTHON = [
    *(LUMEIRE / "backoffice" / "cases").glob("*.py"),
    LUMEIRE / "backoffice" / "sites.py",
    *(LUMEIRE / "compliance").glob("*.py"),
]
SHOWN_TEMPLATES = [
    *(LUMEIRE / "backoffice" / "templates" / "backoffice" / "cases").glob("*.html"),
    *(LUMEIRE / "compliance" / "templates").rglob("*.html"),
]


def _shown_strings() -> tuple[set[str], set[tuple[str, str]]]:
    single, plural = set(), set()
    for module in SHOWN_PYTHON:
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in {"_", "gettext", "gettext_lazy"}
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                single.add(node.args[0].value)
    for template in SHOWN_TEMPLATES:
        source = templatize(template.read_text(encoding="utf-8"), origin=str(template))
        single.update(ast.literal_eval(match) for match in GETTEXT_CALL.findall(source))
        plural.update(
            (ast.literal_eval(one), ast.literal_eval(many))
            for one, many in NGETTEXT_CALL.findall(source)
        )
    return single, plural


def test_the_compliance_catalogue_is_complete_and_compiled():
    po = polib.pofile(str(CATALOGUE / "django.po"))
    assert po.metadata["Language"] == "ar"
    assert po.untranslated_entries() == [] and po.fuzzy_entries() == []
    compiled = {e.msgid: e.msgstr for e in polib.mofile(str(CATALOGUE / "django.mo")) if e.msgid}
    source = {e.msgid: e.msgstr for e in po.translated_entries() if not e.msgid_plural}
    assert {k: v for k, v in compiled.items() if k in source} == source


def test_every_string_of_the_case_pages_and_the_compliance_app_reads_in_arabic():
    single, plural = _shown_strings()
    assert "Irregular-activity cases" in single and "Assign to me" in single
    with translation.override("ar"):
        untranslated = sorted(s for s in single if translation.gettext(s) == s)
        untranslated += sorted(
            one for one, many in plural if translation.ngettext(one, many, 3) in (one, many)
        )
    assert untranslated == [], "add them to lumeire/compliance/locale/ar/LC_MESSAGES/django.po"


def test_the_case_page_reads_in_arabic(staff_client, officer):
    case = make_case(subject=make_customer())

    response = staff_client(officer).get(url(case), HTTP_ACCEPT_LANGUAGE="ar")

    page = response.content.decode()
    assert response.status_code == 200
    assert "تعيين الحالة لي" in page and "Assign to me" not in page
    assert "محاولة دفع بالبطاقة" in page  # the event's source
