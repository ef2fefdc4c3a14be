"""/api/v1/privacy/policy: the text in the request's language, and the evidence of acceptance."""

from __future__ import annotations

import pytest
from django.utils import timezone

from lumeire.accounts.tests.factories import PASSWORD, make_customer
from lumeire.api.tests.helpers import send, sign_in
from lumeire.privacy.models import PolicyAcceptance, PolicyStatus, PolicyVersion
from lumeire.privacy.services import policy_accept

pytestmark = pytest.mark.django_db

SECTIONS = [
    {
        "key": "introduction",
        "title": {"en": "Version two", "ar": "الإصدار الثاني"},
        "body": {"en": "The second text.", "ar": "النص الثاني."},
    }
]


def publish(version: int, *, published: bool = True) -> PolicyVersion:
    return PolicyVersion.objects.create(
        version=version,
        effective_at=timezone.now(),
        sections=SECTIONS,
        status=PolicyStatus.PUBLISHED if published else PolicyStatus.DRAFT,
    )


def test_the_policy_in_force_is_served_in_english_by_default():
    response = send("GET", "/privacy/policy")

    assert response.status_code == 200
    body = response.json()
    assert body["version"] == 1
    assert body["effective_at"].startswith("2026-11-01T00:00:00")
    assert body["sections"][0] == {
        "key": "introduction",
        "title": "Privacy and confidentiality policy",
        "body": body["sections"][0]["body"],
    }
    assert [section["key"] for section in body["sections"]] == [
        "introduction",
        "first",
        "second",
        "third",
        "fourth",
    ]


def test_the_policy_is_served_in_arabic_when_asked():
    response = send("GET", "/privacy/policy", language="ar")

    assert response.status_code == 200
    assert response.json()["sections"][0]["title"] == "سياسة الخصوصية وسرية المعلومات"


def test_a_version_can_be_asked_for_and_an_unknown_one_is_a_404():
    publish(2)

    assert send("GET", "/privacy/policy").json()["version"] == 2
    assert send("GET", "/privacy/policy?version=1").json()["version"] == 1
    missing = send("GET", "/privacy/policy?version=99")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "Not found."}


def test_an_unpublished_version_is_not_served():
    publish(2, published=False)

    assert send("GET", "/privacy/policy?version=2").status_code == 404
    assert send("GET", "/privacy/policy").json()["version"] == 1


def test_a_version_that_is_not_a_number_is_a_400():
    response = send("GET", "/privacy/policy?version=latest")

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"version"}


def test_accepting_a_new_version_records_it_once():
    user = make_customer(username="salma")
    token = sign_in("salma", PASSWORD)
    publish(2)

    first = send("POST", "/privacy/policy/accept", {"version": 2}, token=token)
    second = send("POST", "/privacy/policy/accept", {"version": 2}, token=token)

    assert first.status_code == second.status_code == 204
    assert first.content == b""
    assert sorted(
        PolicyAcceptance.objects.filter(user=user).values_list("version__version", flat=True)
    ) == [1, 2]


@pytest.mark.parametrize("version", [99, 3])
def test_an_unknown_or_unpublished_version_cannot_be_accepted(version):
    user = make_customer(username="salma")
    token = sign_in("salma", PASSWORD)
    publish(3, published=False)

    response = send("POST", "/privacy/policy/accept", {"version": version}, token=token)

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"version"}
    assert response.json()["code"] == "policy_version_unknown"
    assert PolicyAcceptance.objects.filter(user=user).count() == 1  # the sign-up's


def test_accepting_needs_a_signed_in_customer():
    response = send("POST", "/privacy/policy/accept", {"version": 1})

    assert response.status_code == 401
    assert response.json() == {"detail": "Sign in to do this."}


def test_accepting_again_keeps_the_first_record():
    user = make_customer(username="salma")
    first = PolicyAcceptance.objects.get(user=user)

    again = policy_accept(actor=user, version=1)

    assert again.pk == first.pk
    assert again.accepted_at == first.accepted_at
