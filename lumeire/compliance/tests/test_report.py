"""The report package: only the ticked kinds of data, two different people, sealed and hashed."""

from __future__ import annotations

import hashlib
import io
import json
from decimal import Decimal

import pytest
from pypdf import PdfReader

from lumeire.accounts.models import SignInEvent, SignInOutcome
from lumeire.accounts.tests.factories import identity_number, make_customer
from lumeire.audit.models import AuditAction, AuditEntry
from lumeire.checkout.models import PaymentAttempt
from lumeire.checkout.tests.factories import address, card_token, fill_cart, place, shelf_variant
from lumeire.compliance.errors import CaseConflict, CaseError, CaseErrorCode
from lumeire.compliance.models import Case, CaseStatus, ReportFile, Rule
from lumeire.compliance.report import (
    REPORT_ITEMS,
    TITLE_AR,
    TITLE_EN,
    ReportFileError,
    open_report_file,
)
from lumeire.compliance.services import (
    action_lock_account,
    case_legal_decide,
    case_note_add,
    case_report_file_open,
    case_report_generate,
    case_transition,
)
from lumeire.compliance.tests.factories import (
    OPINION,
    STAFF_PASSWORD,
    SUMMARY,
    approved_case,
    legal_requested_case,
    make_case,
    make_compliance_officer,
    make_legal_counsel,
)
from lumeire.core.errors import PermissionDeniedError
from lumeire.privacy.erasure import erasure_carry_out
from lumeire.staff.access import GROUP_OF_ROLE
from lumeire.staff.roles import Role
from lumeire.staff.services import staff_create
from lumeire.vault.inventory import Category
from lumeire.vault.services import shred

pytestmark = pytest.mark.django_db

NAME = "Noura Al-Qahtani"
USERNAME = "falconrider"
EMAIL = "noura.q@example.com"
ID_NUMBER = identity_number(7001)
STREET = "Tahlia Street"
DECLINED_AMOUNT = "13.37"
NOTE = "Unique note text zebra-quartz that must never leave the store"


@pytest.fixture
def subject():
    """A customer with data in every category: identity, contact, login, orders, sign-ins."""
    user = make_customer(username=USERNAME, email=EMAIL, full_name=NAME, identity_number=ID_NUMBER)
    fill_cart(user, [(shelf_variant(price="250.00"), 1)])
    placement = place(user, pay="card", token=card_token(), to=address(street=STREET))
    PaymentAttempt.objects.create(
        customer=user, approved=False, amount=Decimal(DECLINED_AMOUNT), client_hash="c" * 64
    )
    SignInEvent.objects.create(
        user=user, outcome=SignInOutcome.FAILURE, client_ref="d" * 64, channel="api"
    )
    user.order_number = placement.order.number
    return user


def _refs(user) -> list[dict]:
    attempt = PaymentAttempt.objects.filter(customer=user, approved=False).first()
    return [
        {
            "source": "checkout.paymentattempt",
            "id": str(attempt.pk),
            "at": attempt.at.isoformat(),
            "what": "declined",
        }
    ]


def _generate(case, actor=None) -> tuple[dict, str, list[ReportFile]]:
    actor = actor or case.legal_requested_by
    files = case_report_generate(actor=actor, case=case)
    by_kind = {
        file.kind: case_report_file_open(actor=actor, case=case, file=file) for file in files
    }
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(by_kind["pdf"])).pages)
    return json.loads(by_kind["json"].decode("utf-8")), text, files


def _markers(user) -> dict[str, list[str]]:
    """Values that may appear in a report only when their item is ticked."""
    return {
        "identity": [NAME, ID_NUMBER, "1990-05-17"],
        "contact": [EMAIL, STREET],
        "credential": [USERNAME],
        "financial": [user.order_number, DECLINED_AMOUNT],
        "behavioural": ["Sign-in activity", "Wrong login or password"],
    }


def test_the_checklist_has_one_item_per_category():
    assert set(REPORT_ITEMS) == {"identity", "contact", "credential", "financial", "behavioural"}
    assert {item.category for item in REPORT_ITEMS.values()} == set(Category)
    for key, item in REPORT_ITEMS.items():
        assert item.key == key
        assert item.label_en and item.label_ar and item.describe and item.describe_ar
        assert item.label("ar") == item.label_ar


@pytest.mark.parametrize("ticked", [[key] for key in REPORT_ITEMS] + [[]])
def test_only_the_ticked_items_appear(subject, ticked):
    case = approved_case(subject, items=ticked, event_refs=_refs(subject))
    content, pdf_text, _files = _generate(case)
    raw = json.dumps(content, ensure_ascii=False)
    assert set(content["personal_data"]) == set(ticked)
    assert [item["key"] for item in content["items"]] == ticked
    for key, values in _markers(subject).items():
        for value in values:
            if key in ticked:
                assert value in pdf_text, (key, value)
                if value != "Sign-in activity":
                    assert value in raw, (key, value)
            else:
                assert value not in pdf_text, (key, value)
                assert value not in raw, (key, value)


def test_the_ticked_values_are_the_subjects(subject):
    case = approved_case(subject, items=list(REPORT_ITEMS), event_refs=_refs(subject))
    data = _generate(case)[0]["personal_data"]
    assert data["identity"] == {
        "full_name": NAME,
        "date_of_birth": "1990-05-17",
        "identity_number": ID_NUMBER,
    }
    assert data["contact"]["email"] == EMAIL
    assert [a["street"] for a in data["contact"]["addresses"]] == [STREET]
    assert data["credential"] == {"username": USERNAME}
    (order,) = data["financial"]["orders"]
    assert order["number"] == subject.order_number
    assert order["card_last4"] == "4242"
    assert order["payment_method"] == "Card"
    outcomes = sorted((a["outcome"], a["amount"]) for a in data["financial"]["payment_attempts"])
    assert ("declined", DECLINED_AMOUNT) in outcomes
    assert any(outcome == "approved" for outcome, _amount in outcomes)
    (sign_in,) = data["behavioural"]["sign_in_events"]
    assert set(sign_in) == {"at", "outcome", "channel"}
    assert sign_in["channel"] == "api"
    # The keyed hashes of the login and the address are not part of the report.
    assert "d" * 64 not in json.dumps(data)
    assert "c" * 64 not in json.dumps(data)


def test_the_json_holds_the_case_the_opinion_and_the_people_by_id(subject):
    officer, counsel = make_compliance_officer(), make_legal_counsel()
    case = make_case(subject, event_refs=_refs(subject), rule=Rule.CARD_TESTING_ACCOUNT, score=45)
    case = case_transition(actor=officer, case=case, to=CaseStatus.UNDER_REVIEW)
    case_note_add(actor=officer, case=case, text=NOTE)
    action_lock_account(actor=officer, case=case)
    case = approved_case(case=case, officer=officer, counsel=counsel, items=["identity"])
    files = case_report_generate(actor=counsel, case=case)
    raw = case_report_file_open(actor=counsel, case=case, file=files[0])
    assert files[0].kind == "json"
    text = raw.decode("utf-8")
    content = json.loads(text)
    # Sorted keys, indented, UTF-8 (Arabic labels written as such, not escaped).
    assert text == json.dumps(content, sort_keys=True, indent=2, ensure_ascii=False)
    assert REPORT_ITEMS["identity"].label_ar in text
    assert content["case"]["reference"] == case.reference
    assert content["case"]["status"] == CaseStatus.APPROVED
    assert content["case"]["opened_at"] == case.opened_at.isoformat()
    assert [(s["rule"], s["score"]) for s in content["signals"]] == [
        (Rule.CARD_TESTING_ACCOUNT, 45)
    ]
    assert content["legal"]["summary"] == SUMMARY
    assert content["legal"]["opinion"] == OPINION
    assert content["legal"]["requested_by"] == {
        "account_id": str(officer.pk),
        "roles": ["compliance_officer"],
    }
    assert content["legal"]["decided_by"] == {
        "account_id": str(counsel.pk),
        "roles": ["legal_counsel"],
    }
    assert content["generated_by"]["account_id"] == str(counsel.pk)
    assert content["generated_at"]
    whats = [(entry["source"], entry["what"]) for entry in content["timeline"]]
    assert ("checkout.paymentattempt", "declined") in whats
    assert ("case", "status open -> under_review") in whats
    assert ("case", "status legal_requested -> approved") in whats
    assert ("case", "protective action lock_account") in whats
    assert [entry["at"] for entry in content["timeline"]] == sorted(
        entry["at"] for entry in content["timeline"]
    )
    # Staff are named by account id only; notes never leave the store.
    for private in (NOTE, officer.username, counsel.username, officer.email, counsel.email):
        assert private not in text


def test_the_pdf_has_a_bilingual_heading_and_the_case(subject):
    case = approved_case(subject, items=["identity"], event_refs=_refs(subject))
    content, text, _files = _generate(case)
    assert TITLE_EN in text
    assert TITLE_AR in text
    for fact in (case.reference, "Many declined cards on one account", OPINION[:30]):
        assert fact in text
    assert content["legal"]["requested_by"]["account_id"] in text


def test_a_case_about_an_address_has_no_personal_data():
    case = approved_case(items=list(REPORT_ITEMS))
    content, text, _files = _generate(case)
    assert case.subject_id is None
    assert content["personal_data"] == {}
    assert content["case"]["subject_kind"] == "address"
    assert case.client_ref not in json.dumps(content)
    assert "there is no account's data" in text


def test_an_erased_subjects_values_read_as_null(subject):
    case = approved_case(subject, items=list(REPORT_ITEMS), event_refs=_refs(subject))
    erasure_carry_out(subject)
    data, text, _files = _generate(Case.objects.get(pk=case.pk))
    data = data["personal_data"]
    assert data["identity"] == {"full_name": None, "date_of_birth": None, "identity_number": None}
    assert data["contact"] == {"email": None, "addresses": [], "addresses_left_out": 0}
    assert data["credential"] == {"username": None}
    # The sale stays (without the card's last digits); the erased values are gone everywhere.
    assert [order["card_last4"] for order in data["financial"]["orders"]] == [None]
    for value in (NAME, ID_NUMBER, EMAIL, USERNAME):
        assert value not in text


# --- Who may produce a report ---------------------------------------------------------------------


def test_no_report_without_approval(subject):
    case = legal_requested_case(subject)
    with pytest.raises(CaseConflict) as refused:
        case_report_generate(actor=case.legal_requested_by, case=case)
    assert refused.value.code == CaseErrorCode.NOT_APPROVED
    open_case = make_case(subject)
    with pytest.raises(CaseConflict):
        case_report_generate(actor=make_compliance_officer(), case=open_case)
    assert not ReportFile.objects.exists()


def test_no_report_from_a_dismissed_case(subject):
    case = legal_requested_case(subject)
    case = case_legal_decide(actor=make_legal_counsel(), case=case, approve=False, opinion=OPINION)
    with pytest.raises(CaseConflict):
        case_report_generate(actor=case.legal_requested_by, case=case)


def test_the_requester_cannot_approve_even_holding_both_roles(subject):
    both = staff_create(
        username="twohats",
        email="twohats@example.com",
        password=STAFF_PASSWORD,
        groups=[GROUP_OF_ROLE[Role.COMPLIANCE_OFFICER], GROUP_OF_ROLE[Role.LEGAL_COUNSEL]],
    )
    case = legal_requested_case(subject, officer=both)
    with pytest.raises(CaseError) as refused:
        case_legal_decide(actor=both, case=case, approve=True, opinion=OPINION)
    assert refused.value.code == CaseErrorCode.SAME_PERSON
    assert Case.objects.get(pk=case.pk).status == CaseStatus.LEGAL_REQUESTED


def test_no_report_when_the_approver_is_the_requester(subject):
    """Even if the rows were changed behind the services' back, the report service refuses."""
    case = approved_case(subject, items=["identity"])
    Case.objects.filter(pk=case.pk).update(legal_decided_by=case.legal_requested_by)
    with pytest.raises(CaseError) as refused:
        case_report_generate(actor=case.legal_requested_by, case=Case.objects.get(pk=case.pk))
    assert refused.value.code == CaseErrorCode.SAME_PERSON
    assert not ReportFile.objects.exists()


def test_only_case_staff_generate_a_report(subject):
    case = approved_case(subject, items=["identity"])
    owner = staff_create(
        username="theowner",
        email="owner@example.com",
        password=STAFF_PASSWORD,
        groups=[GROUP_OF_ROLE[Role.OWNER]],
    )
    for outsider in (owner, subject):
        with pytest.raises(PermissionDeniedError):
            case_report_generate(actor=outsider, case=case)
    assert not ReportFile.objects.exists()


# --- Hashes, sealing, tampering -------------------------------------------------------------------


def test_each_files_sha256_is_in_the_audit_log(subject):
    case = approved_case(subject, items=["identity", "financial"])
    officer = case.legal_requested_by
    files = case_report_generate(actor=officer, case=case)
    assert sorted(file.kind for file in files) == ["json", "pdf"]
    for file in files:
        content = case_report_file_open(actor=officer, case=case, file=file)
        assert hashlib.sha256(content).hexdigest() == file.sha256
        assert file.size == len(content)
        entry = AuditEntry.objects.get(
            action=AuditAction.REPORT_GENERATED, target_type=f"compliance.report{file.kind}"
        )
        assert entry.target_id == file.sha256
        assert entry.actor_id == officer.pk
        assert entry.subject_id == subject.pk
        assert entry.reason == case.reference
        assert entry.fields == ["identity", "financial"]
        assert AuditEntry.objects.filter(
            action=AuditAction.REPORT_DOWNLOADED, target_id=file.sha256
        ).exists()


def test_the_sealed_file_is_not_the_clear_content(subject):
    case = approved_case(subject, items=["identity"])
    files = case_report_generate(actor=case.legal_requested_by, case=case)
    json_file = next(file for file in files if file.kind == "json")
    stored = bytes(ReportFile.objects.get(pk=json_file.pk).sealed)
    assert ID_NUMBER.encode() not in stored
    assert b"personal_data" not in stored
    clear = open_report_file(case=case, file=ReportFile.objects.get(pk=json_file.pk))
    assert ID_NUMBER.encode() in clear


def test_tampered_or_moved_sealed_bytes_are_refused(subject):
    case = approved_case(subject, items=["identity"])
    officer = case.legal_requested_by
    files = {f.kind: f for f in case_report_generate(actor=officer, case=case)}
    json_file = ReportFile.objects.get(pk=files["json"].pk)
    blob = bytearray(bytes(json_file.sealed))
    blob[-5] ^= 0x01
    ReportFile.objects.filter(pk=json_file.pk).update(sealed=bytes(blob))
    with pytest.raises(ReportFileError) as refused:
        case_report_file_open(
            actor=officer, case=case, file=ReportFile.objects.get(pk=json_file.pk)
        )
    assert "integrity" in refused.value.message
    # The PDF's sealed bytes copied into the JSON row fail too: each seal names its row.
    pdf_blob = bytes(ReportFile.objects.get(pk=files["pdf"].pk).sealed)
    ReportFile.objects.filter(pk=json_file.pk).update(sealed=pdf_blob)
    with pytest.raises(ReportFileError):
        open_report_file(case=case, file=ReportFile.objects.get(pk=json_file.pk))
    assert not AuditEntry.objects.filter(
        action=AuditAction.REPORT_DOWNLOADED, target_id=json_file.sha256
    ).exists()


def test_a_changed_hash_is_refused(subject):
    case = approved_case(subject, items=["identity"])
    (first, *_rest) = case_report_generate(actor=case.legal_requested_by, case=case)
    ReportFile.objects.filter(pk=first.pk).update(sha256="0" * 64)
    with pytest.raises(ReportFileError) as refused:
        open_report_file(case=case, file=ReportFile.objects.get(pk=first.pk))
    assert "SHA-256" in refused.value.message


def test_a_shredded_case_key_makes_the_files_unreadable(subject):
    case = approved_case(subject, items=["identity"])
    (first, *_rest) = case_report_generate(actor=case.legal_requested_by, case=case)
    shred(case.key_subject)
    with pytest.raises(ReportFileError) as refused:
        open_report_file(case=case, file=ReportFile.objects.get(pk=first.pk))
    assert refused.value.status_code == 410
    assert "purged" in refused.value.message
    # The subject's own key is another key: shredding the case's left the customer's data alone.
    assert case.key_subject != subject.pk
