"""The policy is generated from the running system, versions are drafted and published by
the roles allowed, a published text never changes, and re-acceptance is asked when due."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import models
from django.test.utils import isolate_apps
from django.utils import timezone

from lumeire.accounts.tests.factories import make_customer
from lumeire.audit.models import AuditAction, AuditEntry
from lumeire.core.errors import ApplicationError, PermissionDeniedError
from lumeire.privacy import policy as policy_module
from lumeire.privacy.models import (
    PolicyAcceptance,
    PolicyStatus,
    PolicyVersion,
    PublishedPolicyImmutableError,
)
from lumeire.privacy.policy import rendered_sections
from lumeire.privacy.selectors import (
    current_policy_version,
    policy_acceptance_required,
    policy_diff,
)
from lumeire.privacy.services import policy_accept, policy_draft_save, policy_publish
from lumeire.staff.roles import Role
from lumeire.staff.services import staff_create
from lumeire.vault.inventory import (
    Category,
    InventoryEntry,
    PersonalData,
    PolicyClause,
    Retention,
    inventory,
)

pytestmark = pytest.mark.django_db

SECTIONS = [
    {
        "key": "first",
        "title": {"en": "What we keep", "ar": "ما نحفظه"},
        "body": {"en": "Less than before.\n\n[[kept_data]]", "ar": "أقل من قبل.\n\n[[kept_data]]"},
    }
]


def body_of(key: str, language: str = "en") -> str:
    policy = PolicyVersion.objects.get(version=1)
    return next(s["body"] for s in rendered_sections(policy, language) if s["key"] == key)


def make_staff(group: str, name: str):
    return staff_create(
        username=name,
        email=f"{name}@example.com",
        password="amber lantern over a quiet harbour",
        groups=[group],
    )


def test_version_1_is_published_and_its_markers_are_all_filled_in():
    policy = PolicyVersion.objects.get(version=1)
    rendered = " ".join(s["body"] for s in rendered_sections(policy, "en"))

    assert policy.status == PolicyStatus.PUBLISHED
    assert current_policy_version() == policy
    assert "[[" not in rendered
    assert "AES-256-GCM" in rendered
    assert "/en/privacy/" in rendered


def test_every_inventory_field_is_listed_under_its_clause_with_purpose_and_retention():
    text = body_of("first")

    for entry in inventory():
        declaration = entry.declaration
        assert str(declaration.purpose).rstrip(". ") in text, entry.label
        clause_at = text.index(f"{PolicyClause(declaration.policy_clause).label}:")
        assert text.index(str(declaration.purpose).rstrip(". ")) > clause_at, entry.label


@isolate_apps("lumeire.privacy")
def test_a_field_added_to_the_inventory_appears_in_the_policy(monkeypatch):
    # isolate_apps: the model lives only in this test, never in the project's registry.
    class Loyalty(models.Model):
        shoe_size = models.CharField(max_length=3)

        class Meta:
            app_label = "privacy"
            managed = False

    fake = InventoryEntry(
        Loyalty,
        "shoe_size",
        PersonalData(
            category=Category.BEHAVIOURAL,
            purpose="Suggest shoes that fit",
            retention=Retention(after="after the last order", period=timedelta(days=90)),
            policy_clause=PolicyClause.DEALINGS,
        ),
    )
    before = body_of("first")
    monkeypatch.setattr(policy_module, "inventory", lambda: [*inventory(), fake])

    after = body_of("first")

    assert "Suggest shoes that fit" not in before
    assert (
        "- Shoe size: Suggest shoes that fit. Kind: Behaviour and preferences. "
        "Kept: 90 days after the last order." in after
    )


def test_the_lockout_setting_changes_the_policy(settings):
    assert "After 5 failed sign-ins" in body_of("third")
    assert "locked for 15 minutes" in body_of("third")

    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = timedelta(minutes=45)

    text = body_of("third")
    assert "After 3 failed sign-ins" in text and "locked for 45 minutes" in text
    assert "After 5 failed sign-ins" not in text


def test_https_and_hsts_are_claimed_only_when_the_settings_say_so(settings):
    settings.SECURE_SSL_REDIRECT = False
    settings.SECURE_HSTS_SECONDS = 0
    assert "HTTPS" not in body_of("third")

    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    assert "served over HTTPS only" in body_of("third")
    assert "for 365 days (HSTS)" in body_of("third")


@pytest.mark.password_hashing
def test_the_password_hasher_and_its_parameters_come_from_the_settings(settings):
    assert "Argon2id with 64 MiB of memory, 2 passes and 2 lanes" in body_of("third")

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]

    text = body_of("third")
    assert "Argon2id" not in text
    assert "PBKDF2_SHA256 with" in text


def test_roles_are_listed_with_what_they_may_see_in_clear_from_the_access_model():
    from lumeire.staff.describe import role_clear_values

    text = body_of("second")

    assert "- Catalogue manager: sees no personal information." in text
    assert "- Analyst: sees no personal information." in text
    # Legal counsel reads the cases it decides on; it never reveals a customer's value.
    counsel = next(line for line in text.splitlines() if line.startswith("- Legal counsel:"))
    assert "irregular-activity cases" in counsel and "Reveals" not in counsel
    fulfilment = next(line for line in text.splitlines() if line.startswith("- Fulfilment:"))
    assert "while the order waits to be packed or shipped" in fulfilment
    assert "Reveals" not in fulfilment
    owner_line = next(line for line in text.splitlines() if line.startswith("- Owner:"))
    assert "national ID number or residence number (iqama)" in owner_line
    assert "card brand" in owner_line
    # The same words as the README's role table: one source.
    for role in Role:
        if role_clear_values(role):
            assert f"- {role.label}: {role_clear_values(role)}" in text


def test_the_cookie_list_names_every_registered_cookie():
    cookies = pytest.importorskip("lumeire.privacy.cookies")
    text = body_of("first")

    for spec in cookies.COOKIES:
        assert f"- {spec.name} (" in text


def test_the_cookie_list_follows_the_running_settings(settings):
    settings.SESSION_COOKIE_NAME = "__Host-sessionid"
    settings.CSRF_COOKIE_NAME = "__Host-csrftoken"
    text = policy_module.cookies()

    assert "- __Host-sessionid (" in text
    assert "- __Host-csrftoken (" in text
    assert "optional, only with your consent" in text


def test_the_policy_is_generated_in_arabic_too():
    text = body_of("third", "ar")

    assert "[[" not in text
    assert "AES-256-GCM" in text


def test_a_published_version_cannot_be_changed_or_deleted():
    policy = PolicyVersion.objects.get(version=1)
    policy.sections = SECTIONS

    with pytest.raises(PublishedPolicyImmutableError):
        policy.save()
    with pytest.raises(PublishedPolicyImmutableError):
        policy.delete()
    assert PolicyVersion.objects.get(version=1).sections[0]["key"] == "introduction"


def test_legal_counsel_drafts_and_publishes_and_it_is_audited():
    counsel = make_staff("Legal counsel", "counsel")

    draft = policy_draft_save(actor=counsel, sections=SECTIONS)
    assert (draft.version, draft.status) == (2, PolicyStatus.DRAFT)
    assert current_policy_version().version == 1
    again = policy_draft_save(actor=counsel, sections=SECTIONS)
    assert again.pk == draft.pk  # one open draft, edited in place

    published = policy_publish(actor=counsel, version=2)

    assert published.status == PolicyStatus.PUBLISHED
    assert current_policy_version().version == 2
    entry = AuditEntry.objects.get(action=AuditAction.POLICY_PUBLISHED)
    assert (entry.target_type, entry.target_id, entry.actor_id) == (
        "privacy.policyversion",
        "2",
        counsel.pk,
    )
    with pytest.raises(ApplicationError) as refused:
        policy_publish(actor=counsel, version=2)
    assert (refused.value.code, refused.value.status_code) == ("policy_version_not_draft", 409)


def test_a_future_effective_date_keeps_the_old_version_in_force():
    owner = make_staff("Owner", "owner1")
    policy_draft_save(actor=owner, sections=SECTIONS)

    policy_publish(actor=owner, version=2, effective_at=timezone.now() + timedelta(days=30))

    assert current_policy_version().version == 1


@pytest.mark.parametrize("group", ["Customer service", "Compliance officer", "Analyst"])
def test_other_roles_may_not_draft_or_publish(group):
    staff = make_staff(group, "someone")
    owner = make_staff("Owner", "owner2")
    policy_draft_save(actor=owner, sections=SECTIONS)

    with pytest.raises(PermissionDeniedError):
        policy_draft_save(actor=staff, sections=SECTIONS)
    with pytest.raises(PermissionDeniedError):
        policy_publish(actor=staff, version=2)
    assert PolicyVersion.objects.get(version=2).status == PolicyStatus.DRAFT
    assert not AuditEntry.objects.filter(action=AuditAction.POLICY_PUBLISHED).exists()


def test_an_incomplete_draft_is_refused_and_nothing_is_saved():
    owner = make_staff("Owner", "owner3")

    with pytest.raises(ApplicationError) as refused:
        policy_draft_save(actor=owner, sections=[{"key": "first", "title": {}, "body": {}}])

    assert refused.value.code == "policy_sections_invalid"
    assert "sections.0" in refused.value.field_errors
    assert PolicyVersion.objects.count() == 1


def test_the_diff_shows_what_the_draft_changes():
    owner = make_staff("Owner", "owner4")
    draft = policy_draft_save(actor=owner, sections=SECTIONS)

    diff = {d.key: d for d in policy_diff(draft, current_policy_version())}

    assert diff["first"].status == "changed"
    assert "+Less than before." in diff["first"].lines["en"]
    assert diff["third"].status == "removed"


def test_a_customer_behind_the_current_version_must_accept_it():
    customer = make_customer()
    assert policy_acceptance_required(customer) is None
    owner = make_staff("Owner", "owner5")
    policy_draft_save(actor=owner, sections=SECTIONS)
    policy_publish(actor=owner, version=2)
    customer = type(customer).objects.get(pk=customer.pk)  # a new request

    assert policy_acceptance_required(customer).version == 2
    assert policy_acceptance_required(owner) is None  # staff accept nothing here

    policy_accept(actor=customer, version=2, client_ref="ab" * 16)

    customer = type(customer).objects.get(pk=customer.pk)
    assert policy_acceptance_required(customer) is None
    evidence = PolicyAcceptance.objects.get(user=customer, version__version=2)
    assert evidence.client_ref == "ab" * 16
