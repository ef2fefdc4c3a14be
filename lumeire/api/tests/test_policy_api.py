"""The policy over the API: generated parts filled in, earlier versions by number, acceptance
with its evidence, and the 403 a customer behind the version in force gets elsewhere."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from lumeire.accounts.services.signin import api_token_issue
from lumeire.accounts.tests.factories import make_customer
from lumeire.api.tests.helpers import send
from lumeire.privacy.models import PolicyAcceptance, PolicyStatus, PolicyVersion

pytestmark = pytest.mark.django_db

GATE = "lumeire.storefront.policy_gate.PolicyAcceptanceMiddleware"
SECTIONS = [
    {
        "key": "third",
        "title": {"en": "Protection", "ar": "الحماية"},
        "body": {"en": "[[protection]]", "ar": "[[protection]]"},
    }
]


@pytest.fixture(autouse=True)
def _gate_installed(settings):
    if GATE not in settings.MIDDLEWARE:
        settings.MIDDLEWARE = [*settings.MIDDLEWARE, GATE]


def publish_version_2() -> None:
    PolicyVersion.objects.create(
        version=2,
        status=PolicyStatus.PUBLISHED,
        effective_at=timezone.now() - timedelta(minutes=1),
        sections=SECTIONS,
    )


def test_the_policy_carries_the_generated_parts_and_follows_the_settings(settings):
    settings.AXES_FAILURE_LIMIT = 4

    body = send("GET", "/privacy/policy").json()

    third = next(s for s in body["sections"] if s["key"] == "third")
    assert body["version"] == 1
    assert "After 4 failed sign-ins" in third["body"]
    assert "[[" not in " ".join(s["body"] for s in body["sections"])


def test_an_earlier_version_by_number():
    publish_version_2()

    assert send("GET", "/privacy/policy").json()["version"] == 2
    assert send("GET", "/privacy/policy?version=1").json()["version"] == 1
    assert send("GET", "/privacy/policy?version=9").status_code == 404


def test_a_customer_behind_gets_403_until_accepting():
    customer = make_customer()
    token = api_token_issue(user=customer).raw
    publish_version_2()

    refused = send("GET", "/orders", token=token)

    assert refused.status_code == 403
    assert refused.json()["code"] == "policy_acceptance_required"
    # The privacy endpoints stay open: read, then accept.
    assert send("GET", "/privacy/policy", token=token).status_code == 200
    accepted = send(
        "POST", "/privacy/policy/accept", {"version": 2}, token=token, address="198.51.100.7"
    )
    assert accepted.status_code == 204
    evidence = PolicyAcceptance.objects.get(user=customer, version__version=2)
    assert evidence.client_ref and "198.51.100.7" not in evidence.client_ref
    assert send("GET", "/orders", token=token).status_code == 200


def test_accepting_an_old_version_does_not_lift_the_gate():
    customer = make_customer()
    token = api_token_issue(user=customer).raw
    publish_version_2()

    send("POST", "/privacy/policy/accept", {"version": 1}, token=token)

    assert send("GET", "/orders", token=token).status_code == 403
    assert not PolicyAcceptance.objects.filter(user=customer, version__version=2).exists()


def test_a_draft_cannot_be_accepted():
    customer = make_customer()
    token = api_token_issue(user=customer).raw
    PolicyVersion.objects.create(
        version=2, status=PolicyStatus.DRAFT, effective_at=timezone.now(), sections=SECTIONS
    )

    refused = send("POST", "/privacy/policy/accept", {"version": 2}, token=token)

    assert refused.status_code == 400
    assert refused.json()["code"] == "policy_version_unknown"
    assert PolicyAcceptance.objects.filter(user=customer).count() == 1
