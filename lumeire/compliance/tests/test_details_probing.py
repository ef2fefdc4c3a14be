"""details_probing: sign-ups and changes naming details other accounts hold, again and again.

Each attempt is answered like success (the outcome goes by email), so probing for who is a
customer costs a mailbox; doing it several times in an hour from one client or account raises a
signal and opens a case, through the store's own services and pages.
"""

from __future__ import annotations

import dataclasses
import json

import pytest
from django.test import Client

from lumeire.accounts.errors import AccountError
from lumeire.accounts.models import TakenDetailsAttempt, User
from lumeire.accounts.pseudonyms import client_ref
from lumeire.accounts.services.identity_number import identity_number_change
from lumeire.accounts.services.profile import email_change_request, username_change
from lumeire.accounts.tests.factories import (
    PASSWORD,
    identity_number,
    make_customer,
    sign_up_data,
)
from lumeire.compliance.models import Case, Rule, Signal
from lumeire.compliance.rules import active_rules

pytestmark = pytest.mark.django_db

PROBER = "198.51.100.66"


def api_sign_up(address: str = PROBER, **values: object):
    body = dataclasses.asdict(sign_up_data(**values))
    body.pop("language")
    body["date_of_birth"] = body["date_of_birth"].isoformat()
    return Client().post(
        "/api/v1/accounts/signup",
        data=json.dumps(body),
        content_type="application/json",
        REMOTE_ADDR=address,
    )


@pytest.fixture
def victim() -> User:
    return make_customer(email="victim@example.com", identity_number=identity_number(9090))


def test_the_rule_reads_one_hour_and_three_attempts_by_address_and_by_account():
    specs = [spec for spec in active_rules() if spec.rule == Rule.DETAILS_PROBING]
    assert {(spec.window.total_seconds(), spec.threshold) for spec in specs} == {(3600, 3)}
    assert {spec.source for spec in specs} == {"accounts.takendetailsattempt"}
    assert len(specs) == 2


def test_three_conflicting_sign_ups_from_one_address_in_an_hour_raise_a_signal(
    victim, django_capture_on_commit_callbacks
):
    make_customer(email="other@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        assert api_sign_up(email="victim@example.com").status_code == 201
        assert api_sign_up(email="other@example.com").status_code == 201
        assert not Signal.objects.exists(), "two are not yet probing"
        assert api_sign_up(email="VICTIM@example.com").status_code == 201

    signal = Signal.objects.get()
    assert signal.rule == Rule.DETAILS_PROBING
    assert (signal.subject_id, signal.client_ref) == (None, client_ref(PROBER))
    assert Case.objects.get().client_ref == client_ref(PROBER)
    assert len(signal.event_refs) == 3
    assert {ref["what"] for ref in signal.event_refs} == {"sign_up_email"}


def test_three_conflicting_changes_by_one_account_raise_a_signal_about_it(
    victim, django_capture_on_commit_callbacks
):
    prober = make_customer(username="prober_p")
    make_customer(username="taken_name", email="holder@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        email_change_request(
            actor=prober, current_password=PASSWORD, new_email="holder@example.com"
        )
        identity_number_change(
            actor=prober,
            current_password=PASSWORD,
            identity_number=victim.customer.identity_number,
        )
        with pytest.raises(AccountError) as taken:
            username_change(actor=prober, current_password=PASSWORD, username="TAKEN_NAME")

    assert taken.value.field_errors == {"username": ["This username is taken. Choose another one."]}
    assert list(Signal.objects.values_list("rule", "subject_id", "client_ref")) == [
        (Rule.DETAILS_PROBING, prober.pk, "")
    ]
    assert Case.objects.get().subject_id == prober.pk
    assert TakenDetailsAttempt.objects.filter(requested_by=prober).count() == 3


def test_a_few_ordinary_mistakes_raise_nothing(victim, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        api_sign_up(email="victim@example.com")
        api_sign_up()
        api_sign_up()

    assert not Signal.objects.exists() and not Case.objects.exists()
