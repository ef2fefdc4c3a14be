"""The privacy pages: the generated policy follows the settings, earlier versions keep their
address, and a customer behind the version in force must accept it before anything else."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from lumeire.accounts.tests.factories import make_customer
from lumeire.accounts.tests.web_sign_in import signed_in_client
from lumeire.core.tests.markup import parse
from lumeire.privacy.models import PolicyAcceptance, PolicyStatus, PolicyVersion

pytestmark = pytest.mark.django_db

GATE = "lumeire.storefront.policy_gate.PolicyAcceptanceMiddleware"
SECTIONS = [
    {
        "key": "first",
        "title": {"en": "What we keep now", "ar": "ما نحفظه الآن"},
        "body": {"en": "Less.\n\n[[kept_data]]", "ar": "أقل.\n\n[[kept_data]]"},
    }
]


@pytest.fixture(autouse=True)
def _gate_installed(settings):
    if GATE not in settings.MIDDLEWARE:
        settings.MIDDLEWARE = [*settings.MIDDLEWARE, GATE]


def publish_version_2() -> PolicyVersion:
    return PolicyVersion.objects.create(
        version=2,
        status=PolicyStatus.PUBLISHED,
        effective_at=timezone.now() - timedelta(minutes=1),
        sections=SECTIONS,
    )


def section_text(html: str, key: str) -> str:
    document = parse(html)
    return next(s for s in document.find_all("section") if s.attrs.get("id") == key).text


def test_the_page_follows_the_lockout_setting(client, settings):
    before = section_text(client.get("/en/privacy/").content.decode(), "third")
    settings.AXES_FAILURE_LIMIT = 7

    after = section_text(client.get("/en/privacy/").content.decode(), "third")

    assert "After 5 failed sign-ins" in before
    assert "After 7 failed sign-ins" in after and "After 5 failed" not in after


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_generated_parts_render_as_lists_in_both_languages(client, language):
    html = client.get(f"/{language}/privacy/").content.decode()

    assert "[[" not in html
    assert "AES-256-GCM" in section_text(html, "third")
    first = next(s for s in parse(html).find_all("section") if s.attrs.get("id") == "first")
    assert first.find_all("ul")


def test_privacy_shows_the_current_version_and_v1_the_earlier_one(client):
    publish_version_2()

    current = client.get("/en/privacy/").content.decode()
    earlier = client.get("/en/privacy/v1/")

    assert "What we keep now" in current and "Version 2" in current
    assert earlier.status_code == 200
    assert "The information we keep" in earlier.content.decode()
    assert client.get("/en/privacy/v3/").status_code == 404


def test_a_draft_is_not_shown(client):
    PolicyVersion.objects.create(
        version=2, status=PolicyStatus.DRAFT, effective_at=timezone.now(), sections=SECTIONS
    )

    assert client.get("/en/privacy/v2/").status_code == 404
    assert "Version 1" in client.get("/en/privacy/").content.decode()


def test_a_customer_up_to_date_is_not_stopped():
    customer = make_customer()
    client = signed_in_client(customer.username)

    assert client.get("/en/account/").status_code == 200


def test_a_customer_behind_is_sent_to_accept_before_anything_else():
    customer = make_customer()
    client = signed_in_client(customer.username)
    publish_version_2()

    response = client.get("/en/account/orders/")

    assert response.status_code == 302
    assert response["Location"] == "/en/privacy/accept/?next=%2Fen%2Faccount%2Forders%2F"
    assert client.get("/en/").status_code == 302
    assert client.post("/en/cart/add/", {}).status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert 'data-policy-accept="2"' in page.content.decode()


def test_accepting_records_the_evidence_and_goes_on():
    customer = make_customer()
    client = signed_in_client(customer.username)
    publish_version_2()

    response = client.post(
        "/en/privacy/accept/",
        {"decision": "accept", "next": "/en/account/orders/"},
        REMOTE_ADDR="203.0.113.9",
    )

    assert response.status_code == 302 and response["Location"] == "/en/account/orders/"
    evidence = PolicyAcceptance.objects.get(user=customer, version__version=2)
    assert evidence.client_ref and "203.0.113.9" not in evidence.client_ref
    assert client.get("/en/account/").status_code == 200


def test_declining_leaves_only_the_policy_the_data_pages_and_sign_out():
    customer = make_customer()
    client = signed_in_client(customer.username)
    publish_version_2()

    declined = client.post("/en/privacy/accept/", {"decision": "decline"})

    assert declined.status_code == 200
    assert "data-policy-declined" in declined.content.decode()
    assert 'href="/en/account/delete/"' in declined.content.decode()
    assert 'href="/en/account/my-data/"' in declined.content.decode()
    assert "/privacy/accept/" not in client.get("/en/account/delete/").get("Location", "")
    assert not PolicyAcceptance.objects.filter(user=customer, version__version=2).exists()
    assert client.get("/en/privacy/").status_code == 200
    assert client.get("/en/privacy/v1/").status_code == 200
    assert client.get("/en/account/").status_code == 302
    assert client.get("/en/account/access-log/").status_code == 302
    export_page = client.get("/en/account/my-data/")
    assert "/privacy/accept/" not in export_page.get("Location", "")
    signed_out = client.post("/en/account/sign-out/")
    assert signed_out.status_code == 302
    assert client.get("/en/").status_code == 200  # signed out: nothing to accept


def test_an_outside_next_address_is_not_followed():
    customer = make_customer()
    client = signed_in_client(customer.username)
    publish_version_2()

    response = client.post(
        "/en/privacy/accept/", {"decision": "accept", "next": "https://evil.example/"}
    )

    assert response.status_code == 302 and response["Location"] == "/en/account/"
