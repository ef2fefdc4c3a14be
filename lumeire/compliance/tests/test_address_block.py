"""Protective actions at the door: a blocked address may browse but not sign in or write through
the API, and a locked account cannot sign in; both are lifted by reversing the action."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from freezegun import freeze_time

from lumeire.accounts.models import SignInEvent
from lumeire.accounts.pseudonyms import client_ref
from lumeire.accounts.services.signin import api_token_issue
from lumeire.accounts.tests.factories import PASSWORD, make_customer
from lumeire.audit.models import AuditAction, AuditEntry
from lumeire.compliance.models import ActionKind
from lumeire.compliance.services import action_block_address, action_lock_account, action_reverse
from lumeire.compliance.tests.factories import make_case, make_compliance_officer

pytestmark = pytest.mark.django_db

BLOCKED = "203.0.113.9"
ELSEWHERE = "198.51.100.14"
SIGN_IN = "/en/account/sign-in/"
API_SIGN_IN = "/api/v1/accounts/signin"
MESSAGE = "Requests from your network are paused for a while."


@pytest.fixture
def customer():
    return make_customer(username="Noura", email="noura@example.com")


@pytest.fixture
def officer():
    return make_compliance_officer()


def browser(address: str) -> Client:
    return Client(REMOTE_ADDR=address)


def sign_in(client: Client, login: str = "Noura", password: str = PASSWORD):
    return client.post(SIGN_IN, {"login": login, "password": password})


def api_sign_in(client: Client, login: str = "Noura", password: str = PASSWORD):
    return client.post(
        API_SIGN_IN, {"login": login, "password": password}, content_type="application/json"
    )


def test_a_blocked_address_may_browse_but_not_sign_in_until_the_block_is_reversed(
    customer, officer, django_capture_on_commit_callbacks
):
    case = make_case(client_ref=client_ref(BLOCKED))
    blocked = browser(BLOCKED)
    assert sign_in(browser(BLOCKED)).status_code == 302  # before the block: signs in
    with django_capture_on_commit_callbacks(execute=True):
        (action,) = action_block_address(actor=officer, case=case, hours=24)
    assert action.kind == ActionKind.BLOCK_ADDRESS and action.client_ref == client_ref(BLOCKED)
    events_before = SignInEvent.objects.count()

    assert blocked.get(SIGN_IN).status_code == 200  # browsing stays open
    refused = sign_in(blocked)
    assert refused.status_code == 403
    assert MESSAGE in refused.content.decode()
    assert "_auth_user_id" not in blocked.session
    # Refused at the door: the sign-in never ran, so it left no event to detect.
    assert SignInEvent.objects.count() == events_before

    api = api_sign_in(blocked)
    assert api.status_code == 403
    assert api["Content-Type"].startswith("application/json")
    assert api.json()["code"] == "address_blocked"
    assert api.json()["detail"].startswith(MESSAGE)

    assert sign_in(browser(ELSEWHERE)).status_code == 302  # other addresses are not touched
    assert api_sign_in(browser(ELSEWHERE)).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        action_reverse(actor=officer, case=case, action=action)
    assert sign_in(blocked).status_code == 302
    assert api_sign_in(browser(BLOCKED)).status_code == 200
    audited = AuditEntry.objects.filter(action=AuditAction.CASE_ACTION, target_id=case.reference)
    assert audited.count() == 2


def test_a_block_ends_by_itself_when_its_time_is_up(
    customer, officer, django_capture_on_commit_callbacks
):
    case = make_case(client_ref=client_ref(BLOCKED))
    with freeze_time(datetime(2026, 4, 1, 9, 0, tzinfo=UTC)) as clock:
        with django_capture_on_commit_callbacks(execute=True):
            action_block_address(actor=officer, case=case, hours=1)
        assert sign_in(browser(BLOCKED)).status_code == 403
        clock.tick(timedelta(minutes=59))
        assert api_sign_in(browser(BLOCKED)).status_code == 403
        clock.tick(timedelta(minutes=2))  # past the hour, and past the cached list's minute
        assert sign_in(browser(BLOCKED)).status_code == 302


def test_a_block_covers_every_address_the_case_saw(officer, django_capture_on_commit_callbacks):
    # A case about an account, whose signals came from two addresses.
    case = make_case(make_customer(), client_ref="")
    case.signals.update(client_ref=client_ref(BLOCKED))
    make_case(client_ref=client_ref(ELSEWHERE)).signals.update(case=case)
    with django_capture_on_commit_callbacks(execute=True):
        actions = action_block_address(actor=officer, case=case, hours=2)
    assert {action.client_ref for action in actions} == {client_ref(BLOCKED), client_ref(ELSEWHERE)}
    for address in (BLOCKED, ELSEWHERE):
        assert browser(address).post(SIGN_IN, {"login": "x", "password": "y"}).status_code == 403


def test_a_locked_account_cannot_sign_in_until_the_lock_is_reversed(customer, officer):
    signed_in = browser(ELSEWHERE)
    assert sign_in(signed_in).status_code == 302
    token = api_token_issue(user=customer)
    case = make_case(customer)

    action = action_lock_account(actor=officer, case=case)
    customer.refresh_from_db()
    assert not customer.is_active and action.detail == {"was_active": True}
    assert signed_in.get("/en/account/").status_code == 302  # the open session is over
    page = sign_in(browser(BLOCKED))
    assert page.status_code != 302
    assert api_sign_in(browser(BLOCKED)).status_code == 401
    token.token.refresh_from_db()
    assert token.token.revoked_at is not None  # API tokens end with the lock

    action_reverse(actor=officer, case=case, action=action)
    customer.refresh_from_db()
    assert customer.is_active
    assert sign_in(browser(BLOCKED)).status_code == 302
    assert api_sign_in(browser(BLOCKED)).status_code == 200
    kinds = list(
        AuditEntry.objects.filter(target_id=case.reference)
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert kinds == [AuditAction.CASE_ACTION, AuditAction.CASE_ACTION]
