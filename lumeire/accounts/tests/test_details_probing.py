"""Learning who is a customer: every answer is the same, and repeated probing raises a signal.

The attacks: sign-up checked the username before the email, so "U with someone's email, then U
with fresh values" told whether the email was registered; the identity-number change page said
"cannot be used" for a registered number, with no audit entry and no signal.
"""

from __future__ import annotations

import json

import pytest
from django.core import mail
from django.core.cache import caches
from django.test import Client

from lumeire.accounts.models import Customer, PendingSignUp, TakenDetailsAttempt, User
from lumeire.accounts.services.profile import email_change_request
from lumeire.accounts.tests.factories import (
    PASSWORD,
    identity_number,
    make_customer,
    sign_up_link_token,
)
from lumeire.accounts.tests.pages import sign_up_form, sign_up_json, without_csrf
from lumeire.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

PROBER = "198.51.100.66"


def web_sign_up(client: Client, address: str = PROBER, **values: str):
    return client.post("/en/account/sign-up/", sign_up_form(**values), REMOTE_ADDR=address)


def api_sign_up(address: str = PROBER, **values: object):
    return Client().post(
        "/api/v1/accounts/signup",
        data=json.dumps(sign_up_json(**values)),
        content_type="application/json",
        REMOTE_ADDR=address,
    )


@pytest.fixture
def victim() -> User:
    return make_customer(
        username="victim_v", email="victim@example.com", identity_number=identity_number(9090)
    )


# --- The same answer whatever is taken ----------------------------------------------------------


@pytest.mark.parametrize("taken", ["email", "identity_number", "username"])
def test_the_username_first_oracle_gets_the_same_pages_on_the_web(client, victim, taken):
    """Sign up with username U and the victim's value, then with U and fresh values."""
    victims = {
        "email": "victim@example.com",
        "identity_number": victim.customer.identity_number,
        "username": "victim_v",
    }
    values = {"username": "probe_u", taken: victims[taken]}
    username = values["username"]
    first = web_sign_up(client, **values)
    second = web_sign_up(client, username=username)
    control = web_sign_up(client, username=username)

    assert first.status_code == second.status_code == control.status_code == 302
    assert first["Location"] == second["Location"] == control["Location"]
    pages = [without_csrf(client.get(r["Location"]).content.decode()) for r in (first, second)]
    assert pages[0] == pages[1]
    assert User.objects.count() == 1, "nothing opens until a link is opened"


@pytest.mark.parametrize("taken", ["email", "identity_number", "username"])
def test_the_username_first_oracle_gets_the_same_json_from_the_api(victim, taken):
    victims = {
        "email": "victim@example.com",
        "identity_number": victim.customer.identity_number,
        "username": "victim_v",
    }
    values = {"username": "probe_u", taken: victims[taken]}
    username = values["username"]

    first = api_sign_up(**values)
    second = api_sign_up(username=username)

    assert first.status_code == second.status_code == 201
    assert first.content == second.content
    assert first.headers["Content-Type"] == second.headers["Content-Type"]


def test_only_the_mailbox_learns_the_outcome_a_taken_email_gets_its_owner_a_notice(victim):
    mail.outbox.clear()
    api_sign_up(email="victim@example.com", username="probe_u")
    api_sign_up(email="fresh@example.com", username="probe_u")

    notice, link = mail.outbox
    assert notice.to == ["victim@example.com"] and "/sign-up/open/" not in notice.body
    assert link.to == ["fresh@example.com"]
    assert sign_up_link_token("fresh@example.com", [link])


def test_an_identity_number_change_answers_the_same_for_a_taken_and_a_free_number(victim):
    prober = make_customer(username="prober_p", email="prober@example.com")
    browser = Client()
    browser.post("/en/account/sign-in/", {"login": "prober_p", "password": PASSWORD})
    mail.outbox.clear()

    taken = browser.post(
        "/en/account/identity-number/",
        {"identity_number": victim.customer.identity_number, "current_password": PASSWORD},
    )
    taken_page = without_csrf(browser.get(taken["Location"]).content.decode())
    free = browser.post(
        "/en/account/identity-number/",
        {"identity_number": identity_number(7171), "current_password": PASSWORD},
    )
    free_page = without_csrf(browser.get(free["Location"]).content.decode())

    assert (taken.status_code, taken["Location"]) == (free.status_code, free["Location"])
    assert taken_page == free_page
    holder_notice = [m for m in mail.outbox if m.to == ["victim@example.com"]]
    assert len(holder_notice) == 1, "the number's holder is told"
    to_prober = [m.subject for m in mail.outbox if m.to == ["prober@example.com"]]
    assert to_prober == [
        "Your Lumeire national ID or residence number (iqama) was not changed",
        "Confirm the new national ID or residence number (iqama) of your Lumeire account",
    ]
    entry = AuditEntry.objects.get(action="details_change_conflict")
    assert (entry.actor_id, entry.subject_id, entry.fields) == (
        prober.pk,
        victim.pk,
        ["identity_number"],
    )
    assert victim.customer.identity_number not in json.dumps(
        list(AuditEntry.objects.values_list("reason", "target_id", "fields"))
    )
    assert Customer.objects.get(user=prober).identity_number != victim.customer.identity_number


def test_an_email_change_to_a_taken_address_is_recorded_and_audited_but_answers_alike(victim):
    prober = make_customer(username="prober_p")

    email_change_request(actor=prober, current_password=PASSWORD, new_email="VICTIM@example.com")

    attempt = TakenDetailsAttempt.objects.get()
    assert (attempt.kind, attempt.requested_by) == ("email_change", prober)
    assert AuditEntry.objects.filter(action="details_change_conflict", subject_id=victim.pk)


# --- Limits: by client address (429), by email address typed (silent, the same either way) ----


def test_the_eleventh_sign_up_from_one_address_in_an_hour_is_refused_and_keeps_nothing(client):
    for _ in range(10):
        assert api_sign_up().status_code == 201
    pending = PendingSignUp.objects.count()

    web = web_sign_up(client)
    api = api_sign_up()

    assert web.status_code == api.status_code == 429
    assert api["Retry-After"] == "3600"
    assert "Too many sign-ups from this network" in web.content.decode()
    assert PendingSignUp.objects.count() == pending == 10
    assert api_sign_up(address="198.51.100.67").status_code == 201, "other networks go on"


@pytest.mark.parametrize("email", ["victim@example.com", "nobody.yet@example.com"])
def test_a_fourth_sign_up_naming_one_address_answers_alike_and_sends_nothing(victim, email):
    caches["shared"].clear()  # the victim's own sign-up, a moment ago, counted too
    answers, sent = [], []
    for number in range(5):
        mail.outbox.clear()
        response = api_sign_up(address=f"198.51.100.{number + 1}", email=email.upper())
        answers.append((response.status_code, response.json()["detail"]))
        sent.append(len(mail.outbox))

    assert len(set(answers)) == 1 and answers[0][0] == 201
    assert sent == [1, 1, 1, 0, 0], "no mailbox is flooded, taken or not"
