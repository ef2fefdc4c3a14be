"""GET /api/v1/privacy/access-log: who looked at my data, for the bearer of a customer token;
only their own reveals, page by page, in the request's language, never refused attempts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lumeire.accounts.services.signin import api_token_issue
from lumeire.accounts.tests.factories import make_customer
from lumeire.api.tests.helpers import send
from lumeire.audit.models import AuditAction, AuditEntry, RevealReason
from lumeire.privacy.selectors import viewer_ref
from lumeire.privacy.tests.test_access_log import FREE_TEXT, make_staff_member, record

pytestmark = pytest.mark.django_db

PATH = "/privacy/access-log"
START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
INVALID_CURSOR = "This page link is not valid; start from the first page."


@pytest.fixture
def agent():
    return make_staff_member("rana", "Customer service")


@pytest.fixture
def customer():
    user = make_customer()
    return user, api_token_issue(user=user).raw


def test_the_customer_gets_each_reveal_of_their_data_newest_first(customer, agent):
    user, token = customer
    owner = make_staff_member("khalid", "Owner")
    neighbour = make_customer()
    record(AuditAction.REVEAL, agent, user, ["email"], at=START)
    record(
        AuditAction.REVEAL,
        owner,
        user,
        ["full_name"],
        at=START + timedelta(hours=1),
        category=RevealReason.LEGAL_REQUEST,
    )
    record(AuditAction.REVEAL_REFUSED, agent, user, ["identity_number"], at=START)
    record(AuditAction.REVEAL, agent, neighbour, ["phone"], at=START)

    response = send("GET", PATH, token=token)

    assert response.status_code == 200
    assert response.json() == {
        "items": [
            {
                "at": "2026-03-01T10:00:00Z",
                "viewer_role": "Owner",
                "viewer_ref": viewer_ref(owner.pk),
                "fields": ["Full name"],
                "reason": "Legal request",
            },
            {
                "at": "2026-03-01T09:00:00Z",
                "viewer_role": "Customer service",
                "viewer_ref": viewer_ref(agent.pk),
                "fields": ["Email address"],
                "reason": "Order support",
            },
        ],
        "next_cursor": None,
    }
    assert FREE_TEXT not in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert AuditEntry.objects.filter(subject_id=user.pk).count() == 3


def test_labels_follow_accept_language(customer, agent):
    user, token = customer
    record(AuditAction.REVEAL, agent, user, ["email"], at=START)

    (item,) = send("GET", PATH, token=token, language="ar").json()["items"]

    assert (item["viewer_role"], item["fields"], item["reason"]) == (
        "خدمة العملاء",
        ["البريد الإلكتروني"],
        "دعم الطلب",
    )


def test_pages_follow_the_cursor_until_it_is_null(customer, agent):
    user, token = customer
    for hours in range(3):
        record(AuditAction.REVEAL, agent, user, ["email"], at=START + timedelta(hours=hours))

    first = send("GET", f"{PATH}?limit=2", token=token).json()
    second = send("GET", f"{PATH}?limit=2&cursor={first['next_cursor']}", token=token).json()

    assert [item["at"] for item in first["items"]] == [
        "2026-03-01T11:00:00Z",
        "2026-03-01T10:00:00Z",
    ]
    assert [item["at"] for item in second["items"]] == ["2026-03-01T09:00:00Z"]
    assert second["next_cursor"] is None


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("limit=0", "limit", "The limit is a whole number from 1 to 100."),
        ("limit=101", "limit", "The limit is a whole number from 1 to 100."),
        ("limit=many", "limit", "The limit is a whole number from 1 to 100."),
        ("cursor=0123456789abcdef0123456789abcdef", "cursor", INVALID_CURSOR),
    ],
)
def test_bad_paging_is_a_clear_400(customer, agent, query, field, message):
    user, token = customer
    record(AuditAction.REVEAL, agent, user, ["email"], at=START)

    response = send("GET", f"{PATH}?{query}", token=token)

    assert response.status_code == 400
    assert response.json()["errors"] == {field: [message]}


def test_anothers_cursor_is_refused(customer, agent):
    _user, token = customer
    neighbour = make_customer()
    for hours in range(2):
        record(AuditAction.REVEAL, agent, neighbour, ["email"], at=START + timedelta(hours=hours))
    theirs = send("GET", f"{PATH}?limit=1", token=api_token_issue(user=neighbour).raw).json()[
        "next_cursor"
    ]

    response = send("GET", f"{PATH}?cursor={theirs}", token=token)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_cursor"


def test_no_customer_token_no_access_log(agent):
    staff_token = api_token_issue(user=agent).raw
    for token in (None, "lum_never-issued", staff_token):
        response = send("GET", PATH, token=token)

        assert response.status_code == 401
        assert "items" not in response.json()


def test_the_openapi_document_describes_the_endpoint():
    document = send("GET", "/openapi.json").json()
    operation = document["paths"]["/api/v1/privacy/access-log"]["get"]

    assert set(operation["responses"]) == {"200", "400", "401"}
    assert {p["name"] for p in operation["parameters"]} == {"limit", "cursor"}
    schema = document["components"]["schemas"]["AccessLogEntryOut"]
    assert list(schema["properties"]) == ["at", "viewer_role", "viewer_ref", "fields", "reason"]
