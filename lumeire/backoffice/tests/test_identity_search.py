"""A search by identity number is a reveal: never an oracle for a role that may not see the number,
and for the roles that may, a reason, an hourly limit and a line in the audit log (and on the
found customer's "who looked at my data")."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import override_settings
from freezegun import freeze_time

from lumeire.accounts.tests.factories import identity_number, make_customer
from lumeire.audit.models import AuditAction, AuditEntry
from lumeire.backoffice.masking import mask_identity_number
from lumeire.backoffice.tests.factories import make_staff, signed_in
from lumeire.privacy.selectors import access_log_of_customer
from lumeire.staff.access import GROUP_OF_ROLE
from lumeire.staff.roles import Role
from lumeire.staff.search import identity_number_term

pytestmark = pytest.mark.django_db

CUSTOMERS = "/backoffice/accounts/customer/"
SEARCH = f"{CUSTOMERS}search/"
BY_IDENTITY = f"{CUSTOMERS}search/identity/"
NUMBER = identity_number(77881)
REASON = "Checking a shared identity number flagged by a case."
ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def _staff(role: Role):
    return make_staff(groups=[GROUP_OF_ROLE[role]])


def _found(response, customer) -> bool:
    return f"{CUSTOMERS}{customer.pk}/change/" in response.content.decode()


def _entries(action) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("id"))


@pytest.fixture
def haya():
    return make_customer(full_name="Haya Al-Qahtani", identity_number=NUMBER)


def _candidates(masked: str, count: int) -> list[str]:
    """What an attacker would try: valid numbers that fit the mask, the right one among them."""
    tries = [identity_number(77000 + n) for n in range(count)]
    return [*tries[:-1], NUMBER]


def test_customer_service_cannot_turn_the_search_into_an_identity_oracle(haya):
    """The attack: the masked number and an exact-match search; 74 guesses found the number.
    Now no guess is ever looked up, each one is recorded, and the mask gives nothing to test."""
    agent = _staff(Role.CUSTOMER_SERVICE)
    client = signed_in(agent)
    masked = mask_identity_number(NUMBER)
    assert masked == "1*********"
    guesses = _candidates(masked, 74)
    variants = [
        lambda n: n,
        lambda n: f"{n[:4]} {n[4:]}",
        lambda n: f"{n[:3]}-{n[3:6]}-{n[6:]}",
        lambda n: n.translate(ARABIC_DIGITS),
        lambda n: f"  {n}\t",
    ]
    answers = set()
    for index, guess in enumerate(guesses):
        term = variants[index % len(variants)](guess)
        response = client.post(SEARCH, {"q": term})
        assert response.status_code == 403, term
        assert not _found(response, haya)
        assert (
            "Your role cannot search by national ID or residence number (iqama)."
            in response.content.decode()
        )
        answers.add(response.status_code)
    assert answers == {403}  # the right guess answers like every wrong one
    refusals = _entries(AuditAction.IDENTITY_SEARCH_REFUSED)
    assert len(refusals) == len(guesses)
    assert {(e.actor_id, tuple(e.fields), e.reason) for e in refusals} == {
        (agent.pk, ("identity_number",), "role")
    }
    assert all(NUMBER not in str(e.__dict__) for e in refusals)
    assert _entries(AuditAction.IDENTITY_SEARCH) == []
    # Its own form refuses it as well, and records that.
    own = client.post(
        BY_IDENTITY,
        {"identity_number": NUMBER, "reason_category": "fraud_review", "reason": REASON},
    )
    assert own.status_code == 403 and not _found(own, haya)
    assert len(_entries(AuditAction.IDENTITY_SEARCH_REFUSED)) == len(guesses) + 1


def test_the_identity_form_is_offered_only_to_roles_that_may_see_identity_numbers(haya):
    for role, offered in (
        (Role.OWNER, True),
        (Role.COMPLIANCE_OFFICER, True),
        (Role.CUSTOMER_SERVICE, False),
    ):
        listed = signed_in(_staff(role)).get(CUSTOMERS).content.decode()
        assert (f'action="{BY_IDENTITY}"' in listed) is offered, role
        assert ('name="identity_number"' in listed) is offered, role


def test_a_compliance_officer_finds_a_customer_by_identity_number_with_a_reason(haya):
    officer = _staff(Role.COMPLIANCE_OFFICER)
    client = signed_in(officer)
    response = client.post(
        BY_IDENTITY,
        {
            "identity_number": NUMBER.translate(ARABIC_DIGITS),
            "reason_category": "fraud_review",
            "reason": REASON,
        },
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert _found(response, haya)
    assert NUMBER not in response.content.decode() and "Haya" not in response.content.decode()
    (search,) = _entries(AuditAction.IDENTITY_SEARCH)
    assert (search.actor_id, search.subject_id, search.fields) == (
        officer.pk,
        None,
        ["identity_number"],
    )
    assert (search.reason_category, search.reason) == ("fraud_review", REASON)
    assert search.target_id.startswith("search-")
    # Finding her is a reveal of her number, in the same transaction.
    (reveal,) = _entries(AuditAction.REVEAL)
    assert (reveal.actor_id, reveal.subject_id, reveal.fields) == (
        officer.pk,
        haya.pk,
        ["identity_number"],
    )
    assert (reveal.reason_category, reveal.reason) == ("fraud_review", REASON)
    # The customer sees the search on "who looked at my data".
    (look,) = access_log_of_customer(customer_id=haya.pk).entries
    assert look.viewer_role == "Compliance officer"
    assert look.fields == ("National ID or residence number (iqama)",)


def test_an_identity_search_without_a_proper_reason_finds_nothing_and_records_nothing(haya):
    client = signed_in(_staff(Role.OWNER))
    for data in (
        {"identity_number": NUMBER},
        {"identity_number": NUMBER, "reason_category": "fraud_review", "reason": "short"},
        {"identity_number": NUMBER, "reason_category": "curiosity", "reason": REASON},
        {"identity_number": "12345", "reason_category": "fraud_review", "reason": REASON},
    ):
        response = client.post(BY_IDENTITY, data)
        assert response.status_code == 400, data
        assert not _found(response, haya)
    assert AuditEntry.objects.filter(action__startswith="identity_search").count() == 0
    assert _entries(AuditAction.REVEAL) == []


def test_the_ordinary_search_sends_an_identity_number_to_its_own_form(haya):
    """A role that may search by identity number must still give a reason: the plain search
    does not look it up."""
    response = signed_in(_staff(Role.COMPLIANCE_OFFICER)).post(SEARCH, {"q": NUMBER})
    assert response.status_code == 400
    assert not _found(response, haya)
    assert "it asks for a reason" in response.content.decode()
    assert _entries(AuditAction.IDENTITY_SEARCH) == []


@override_settings(LUMEIRE_IDENTITY_SEARCHES_PER_HOUR=3)
def test_searches_by_identity_number_are_limited_each_hour_for_each_staff_member(haya):
    officer, other = _staff(Role.COMPLIANCE_OFFICER), _staff(Role.COMPLIANCE_OFFICER)
    client = signed_in(officer)
    data = {"identity_number": NUMBER, "reason_category": "fraud_review", "reason": REASON}
    with freeze_time() as clock:
        for _ in range(3):
            assert client.post(BY_IDENTITY, data).status_code == 200
        refused = client.post(BY_IDENTITY, data)
        assert refused.status_code == 429
        assert not _found(refused, haya)
        assert refused["Retry-After"] == "3600"
        assert (
            "At most 3 searches by national ID or residence number (iqama) an hour."
            in refused.content.decode()
        )
        assert len(_entries(AuditAction.IDENTITY_SEARCH)) == 3  # the refused one left none
        assert len(_entries(AuditAction.REVEAL)) == 3
        (limit,) = _entries(AuditAction.IDENTITY_SEARCH_REFUSED)
        assert (limit.actor_id, limit.reason) == (officer.pk, "limit")
        # Another staff member has their own count.
        assert signed_in(other).post(BY_IDENTITY, data).status_code == 200
        clock.tick(timedelta(minutes=61))
        # An hour on (the idle session has ended: sign in again), the count starts afresh.
        assert signed_in(officer).post(BY_IDENTITY, data).status_code == 200


def test_a_term_reads_as_an_identity_number_exactly_as_the_customer_lookup_reads_it():
    for term in (
        NUMBER,
        f" {NUMBER} ",
        NUMBER.translate(ARABIC_DIGITS),
        f"{NUMBER[:5]}-{NUMBER[5:]}",
    ):
        assert identity_number_term(term) == NUMBER, term
    for term in ("haya@example.com", "LUM-7K3Q-9F2D", NUMBER[:9], NUMBER + "1", "١٢٣"):
        assert identity_number_term(term) is None, term
