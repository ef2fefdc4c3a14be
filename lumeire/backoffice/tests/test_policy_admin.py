"""The policy pages of the back office: Legal counsel drafts, compares and publishes."""

from __future__ import annotations

import pytest

from lumeire.audit.models import AuditAction, AuditEntry
from lumeire.backoffice.tests.factories import make_staff
from lumeire.privacy.models import PolicyStatus, PolicyVersion

pytestmark = pytest.mark.django_db


def draft_form(version_1: PolicyVersion, *, new_title: str) -> dict[str, object]:
    form: dict[str, object] = {"key": [s["key"] for s in version_1.sections]}
    for index, section in enumerate(version_1.sections):
        for lang in ("en", "ar"):
            form[f"title_{lang}_{index}"] = section["title"][lang]
            form[f"body_{lang}_{index}"] = section["body"][lang]
    form["title_en_1"] = new_title
    return form


def test_counsel_drafts_sees_the_diff_and_publishes(staff_client):
    counsel = make_staff(groups=["Legal counsel"])
    client = staff_client(counsel)
    version_1 = PolicyVersion.objects.get(version=1)

    assert client.get("/backoffice/policy/draft/").status_code == 200
    saved = client.post(
        "/backoffice/policy/draft/", draft_form(version_1, new_title="What we hold")
    )
    assert saved.status_code == 302
    draft = PolicyVersion.objects.get(version=2)
    assert draft.status == PolicyStatus.DRAFT

    overview = client.get("/backoffice/policy/").content.decode()
    assert "+# What we hold" in overview and "-# The information we keep" in overview

    published = client.post("/backoffice/policy/publish/", {"version": "2"})
    assert published.status_code == 302
    assert PolicyVersion.objects.get(version=2).status == PolicyStatus.PUBLISHED
    assert AuditEntry.objects.filter(action=AuditAction.POLICY_PUBLISHED).count() == 1

    again = client.post("/backoffice/policy/publish/", {"version": "2"})
    assert again.status_code == 409
    assert AuditEntry.objects.filter(action=AuditAction.POLICY_PUBLISHED).count() == 1


def test_customer_service_may_not_open_or_publish(staff_client):
    owner = make_staff(groups=["Owner"])
    staff_client(owner).post(
        "/backoffice/policy/draft/",
        draft_form(PolicyVersion.objects.get(version=1), new_title="Changed"),
    )
    client = staff_client(make_staff(groups=["Customer service"]))

    assert client.get("/backoffice/policy/").status_code == 403
    assert client.post("/backoffice/policy/publish/", {"version": "2"}).status_code == 403
    assert PolicyVersion.objects.get(version=2).status == PolicyStatus.DRAFT
