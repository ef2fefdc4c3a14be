"""The "who looked at my data" page: the signed-in customer's own reveals only, in words, with a
staff reference instead of a name, never refused attempts, never cached, in both languages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone
from freezegun import freeze_time

from lumeire.accounts.tests.factories import make_customer
from lumeire.accounts.tests.web_sign_in import signed_in_client
from lumeire.audit.models import AuditAction, AuditEntry, RevealReason
from lumeire.core.tests.markup import parse
from lumeire.privacy.selectors import ACCESS_LOG_PAGE_SIZE, viewer_ref
from lumeire.privacy.tests.test_access_log import FREE_TEXT, make_staff_member, record
from lumeire.storefront.tests.test_pages import (
    EVENT_HANDLER,
    INLINE_SCRIPT,
    STYLE_ATTRIBUTE,
    STYLE_ELEMENT,
)

pytestmark = pytest.mark.django_db

PAGE = "/en/account/access-log/"
START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
CELLS = ("data-viewer-role", "data-viewer-ref", "data-fields", "data-reason")


def rows(html: str) -> list[tuple[str, ...]]:
    """Each listed look as (role, staff reference, fields, reason), in page order."""
    found = []
    for row in parse(html).find_all("tr"):
        if "data-access" not in row.attrs:
            continue
        cells = {name: td for td in row.find_all("td") for name in CELLS if name in td.attrs}
        found.append(tuple(" ".join(cells[name].text.split()) for name in CELLS))
    return found


@pytest.fixture
def customer():
    return make_customer(username="dana", email="dana@example.com", full_name="Dana Al-Qahtani")


@pytest.fixture
def agent():
    return make_staff_member("rana", "Customer service")


def test_the_page_lists_each_reveal_of_my_data_and_nothing_else(customer, agent):
    neighbour = make_customer()
    record(AuditAction.REVEAL, agent, customer, ["email"], at=START)
    record(
        AuditAction.REVEAL,
        agent,
        customer,
        ["full_name", "phone"],
        at=START + timedelta(days=1),
        category=RevealReason.DELIVERY,
    )
    record(AuditAction.REVEAL_REFUSED, agent, customer, ["identity_number"], at=START)
    record(AuditAction.REVEAL, agent, neighbour, ["date_of_birth"], at=START)

    response = signed_in_client("dana").get(PAGE)
    body = response.content.decode()

    assert response.status_code == 200
    ref = f"Staff {viewer_ref(agent.pk)}"
    assert rows(body) == [
        ("Customer service", ref, "Full name, Mobile number", "Delivery"),
        ("Customer service", ref, "Email address", "Order support"),
    ]
    # Nothing of the refused attempt, of the neighbour, of the free text or of who the agent is.
    assert "Identity number" not in body
    assert "Date of birth" not in body
    assert "Noura" not in body
    assert FREE_TEXT not in body
    assert "rana" not in body
    assert str(agent.pk) not in body
    assert 'datetime="2026-03-02T' in body
    assert AuditEntry.objects.filter(subject_id=customer.pk).count() == 3


def test_the_page_is_never_stored_by_a_cache_and_keeps_the_content_policy(customer, agent):
    record(AuditAction.REVEAL, agent, customer, ["email"], at=START)

    response = signed_in_client("dana").get(PAGE)
    body = response.content.decode()

    assert "no-store" in response["Cache-Control"]
    assert not INLINE_SCRIPT.search(body)
    assert not STYLE_ATTRIBUTE.search(body)
    assert not STYLE_ELEMENT.search(body)
    assert not EVENT_HANDLER.search(body)
    assert '<meta name="robots" content="noindex, nofollow">' in body


def test_no_look_yet_says_so(customer):
    response = signed_in_client("dana").get(PAGE)

    assert response.status_code == 200
    assert rows(response.content.decode()) == []
    assert "No staff member has seen your personal details in full." in response.content.decode()


def test_my_account_links_to_the_page(customer):
    body = signed_in_client("dana").get("/en/account/").content.decode()

    assert f'href="{PAGE}"' in body
    assert "Who looked at my data" in body


def test_the_arabic_page_is_in_arabic(customer, agent):
    record(AuditAction.REVEAL, agent, customer, ["email"], at=START)

    response = signed_in_client("dana").get("/ar/account/access-log/")
    body = response.content.decode()

    assert response.status_code == 200
    assert rows(body) == [
        ("خدمة العملاء", f"الموظف {viewer_ref(agent.pk)}", "البريد الإلكتروني", "دعم الطلب")
    ]
    assert "من اطّلع على بياناتي" in body


def test_anonymous_visitors_are_sent_to_sign_in_and_staff_get_no_customer_page(agent):
    anonymous = Client().get(PAGE)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/en/account/sign-in/")

    staff_browser = Client()
    staff_browser.force_login(agent, backend="lumeire.accounts.backends.LoginBackend")
    assert staff_browser.get(PAGE).status_code == 404


def test_an_old_sign_in_must_type_the_password_again(customer, agent):
    record(AuditAction.REVEAL, agent, customer, ["email"], at=START)
    client = signed_in_client("dana", remember_me="on")

    with freeze_time(timezone.now() + timedelta(minutes=31)):
        response = client.get(PAGE)

    assert (response.status_code, response["Location"]) == (
        302,
        "/en/account/confirm-password/?next=%2Fen%2Faccount%2Faccess-log%2F",
    )


def test_older_looks_are_on_the_next_page_and_an_altered_link_is_not_found(customer, agent):
    for hours in range(ACCESS_LOG_PAGE_SIZE + 1):
        record(AuditAction.REVEAL, agent, customer, ["email"], at=START + timedelta(hours=hours))
    client = signed_in_client("dana")

    first = client.get(PAGE).content.decode()
    (link,) = [a.attrs["href"] for a in parse(first).find_all("a") if a.attrs.get("rel") == "next"]
    second = client.get(link.replace("&amp;", "&"))

    assert len(rows(first)) == ACCESS_LOG_PAGE_SIZE
    assert len(rows(second.content.decode())) == 1
    assert 'datetime="2026-03-01T12:00:00+03:00"' in second.content.decode()
    assert 'rel="next"' not in second.content.decode()
    assert client.get(f"{PAGE}?after=not-a-cursor").status_code == 404
