"""The back office's audit log: read-only, for the Owner and the Compliance officer alone."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from lumeire.audit.models import AuditAction, AuditEntry, RevealReason
from lumeire.audit.services import audit_record
from lumeire.audit.tests.conftest import BACKEND, make_user, staff_browser

pytestmark = pytest.mark.django_db

LIST = "/backoffice/audit/auditentry/"
ALLOWED = ("Owner", "Compliance officer")
REFUSED = ("Customer service", "Fulfilment", "Catalogue manager", "Legal counsel", "Analyst")


@pytest.fixture
def reveal() -> AuditEntry:
    staff = make_user(groups=("Customer service",))
    return audit_record(
        actor=staff,
        action=AuditAction.REVEAL,
        target_type="orders.order",
        target_id="LUM-7K3Q-9F2D",
        subject_id=uuid.uuid4(),
        fields=["phone"],
        reason_category=RevealReason.DELIVERY,
        reason="Courier cannot find the building",
    )


def _pages(entry: AuditEntry) -> list[str]:
    return [
        LIST,
        f"{LIST}{entry.pk}/change/",
        f"{LIST}{entry.pk}/history/",
        "/backoffice/audit/",
    ]


@pytest.mark.parametrize("group", ALLOWED)
def test_owner_and_compliance_officer_read_the_log(group, reveal):
    browser = staff_browser(make_user(groups=(group,)))
    for url in _pages(reveal):
        assert browser.get(url).status_code == 200, url
    page = browser.get(LIST).content.decode()
    assert "LUM-7K3Q-9F2D" in page
    assert "Audit log" in browser.get("/backoffice/").content.decode()


@pytest.mark.parametrize("group", REFUSED)
def test_every_other_role_is_refused_and_not_shown_the_log(group, reveal):
    browser = staff_browser(make_user(groups=(group,)))
    before = AuditEntry.objects.count()
    for url in _pages(reveal):
        response = browser.get(url)
        assert response.status_code in (403, 404), url
        assert b"LUM-7K3Q-9F2D" not in response.content
    assert "Audit log" not in browser.get("/backoffice/").content.decode()
    assert AuditEntry.objects.count() == before  # a refused look records no view


def test_visitors_and_customers_are_sent_to_the_sign_in_page(reveal):
    customer_browser = Client()
    customer_browser.force_login(make_user(kind="customer"), backend=BACKEND)
    for browser in (Client(), customer_browser):
        response = browser.get(LIST)
        assert response.status_code == 302
        assert response["Location"].startswith("/backoffice/login/")


def test_no_one_adds_changes_or_deletes_an_entry(reveal):
    browser = staff_browser(make_user(groups=("Owner",)))
    before = list(AuditEntry.objects.order_by("id").values_list("id", "reason", "entry_hash"))
    assert browser.get(f"{LIST}add/").status_code == 403
    assert browser.post(f"{LIST}add/", {"reason": "invented"}).status_code == 403
    assert browser.post(f"{LIST}{reveal.pk}/change/", {"reason": "edited"}).status_code == 403
    assert browser.post(f"{LIST}{reveal.pk}/delete/", {"post": "yes"}).status_code == 403
    bulk = {"action": "delete_selected", "_selected_action": [reveal.pk]}
    assert browser.post(LIST, bulk).status_code == 200  # no actions: the list is shown again
    after = list(AuditEntry.objects.order_by("id").values_list("id", "reason", "entry_hash"))
    assert after[: len(before)] == before
    added = AuditEntry.objects.filter(id__gt=before[-1][0]).values_list("action", flat=True)
    assert set(added) == {"audit_viewed"}


def test_each_page_view_is_itself_recorded_once(reveal):
    owner = make_user(groups=("Owner",))
    browser = staff_browser(owner)
    browser.get(LIST)
    browser.get(f"{LIST}{reveal.pk}/change/")
    views = list(AuditEntry.objects.filter(action=AuditAction.AUDIT_VIEWED).order_by("id"))
    assert [(v.actor_id, v.actor_roles, v.target_id) for v in views] == [
        (owner.pk, "owner", ""),
        (owner.pk, "owner", str(reveal.pk)),
    ]
    assert all(len(v.client_ref) == 64 for v in views)


def test_filters_and_exact_search(reveal):
    audit_record(actor=None, action=AuditAction.KEY_ROTATION, target_id="mk-1")
    browser = staff_browser(make_user(groups=("Compliance officer",)))

    def shown(query: str) -> set[str]:
        page = browser.get(LIST + query).content.decode()
        return {marker for marker in ("LUM-7K3Q-9F2D", "mk-1") if marker in page}

    assert shown("") == {"LUM-7K3Q-9F2D", "mk-1"}
    assert shown("?action__exact=reveal") == {"LUM-7K3Q-9F2D"}
    assert shown("?actor_kind__exact=system") == {"mk-1"}
    assert shown("?target_type=orders.order") == {"LUM-7K3Q-9F2D"}
    assert shown(f"?q={reveal.subject_id}") == {"LUM-7K3Q-9F2D"}
    assert shown(f"?q={reveal.actor_id}") == {"LUM-7K3Q-9F2D"}
    assert shown("?q=LUM-7K3Q-9F2D") == {"LUM-7K3Q-9F2D"}
    assert shown("?q=LUM-7K3Q") == set()
    assert shown("?q=Courier") == set()  # free text is not searched
