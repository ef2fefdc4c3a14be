"""Who looked at my data, as the privacy selector reads it from the audit log: only reveals of
this customer's data, newest first, in words, with a pseudonym of the staff member and the
category of the reason, never its free text."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import translation
from freezegun import freeze_time

from lumeire.accounts.models import AccountKind, User
from lumeire.accounts.tests.factories import make_customer
from lumeire.audit.models import AuditAction, AuditEntry, RevealReason
from lumeire.audit.services import audit_record
from lumeire.core.errors import ApplicationError
from lumeire.privacy.selectors import (
    AccessLogEntry,
    access_log_of_customer,
    field_label,
    viewer_ref,
)

pytestmark = pytest.mark.django_db

FREE_TEXT = "Caller Noura asked about parcel LUM-7K3Q-9F2D"
START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
REF = re.compile(r"[0-9A-F]{6}")


def make_staff_member(username: str, *groups: str) -> User:
    """A staff account in ``groups`` (the back office's staff_create sits above this app)."""
    user = User(kind=AccountKind.STAFF, username=username, email=f"{username}@lumeire.example")
    user.set_unusable_password()
    user.save()
    user.groups.set(Group.objects.filter(name__in=groups))
    return user


def record(action, actor, customer, fields, *, at, category=RevealReason.ORDER_SUPPORT):
    with freeze_time(at), transaction.atomic():
        return audit_record(
            actor=actor,
            action=action,
            target_type="customer",
            target_id=str(customer.pk),
            subject_id=customer.pk,
            fields=fields,
            reason_category=category,
            reason=FREE_TEXT,
            client_ref="c" * 64,
        )


@pytest.fixture
def service_agent() -> User:
    return make_staff_member("rana", "Customer service")


@pytest.fixture
def owner() -> User:
    return make_staff_member("khalid", "Owner")


def test_each_reveal_of_the_customers_data_is_listed_newest_first_in_words(service_agent, owner):
    customer = make_customer()
    record(AuditAction.REVEAL, service_agent, customer, ["email"], at=START)
    record(
        AuditAction.REVEAL,
        owner,
        customer,
        ["full_name", "phone"],
        at=START + timedelta(hours=2),
        category=RevealReason.FRAUD_REVIEW,
    )

    page = access_log_of_customer(customer_id=customer.pk)

    assert [(e.at, e.viewer_role, e.viewer_ref, e.fields, e.reason) for e in page.entries] == [
        (
            START + timedelta(hours=2),
            "Owner",
            viewer_ref(owner.pk),
            ("Full name", "Mobile number"),
            "Fraud review",
        ),
        (
            START,
            "Customer service",
            viewer_ref(service_agent.pk),
            ("Email address",),
            "Order support",
        ),
    ]
    assert page.next_cursor is None


def test_refused_attempts_and_other_customers_looks_never_appear(service_agent):
    customer, neighbour = make_customer(), make_customer()
    record(AuditAction.REVEAL_REFUSED, service_agent, customer, ["identity_number"], at=START)
    record(AuditAction.REVEAL, service_agent, neighbour, ["email"], at=START + timedelta(1))
    record(AuditAction.EXPORT, service_agent, customer, ["full_name"], at=START + timedelta(2))

    page = access_log_of_customer(customer_id=customer.pk)

    assert page.entries == []
    assert page.next_cursor is None
    assert AuditEntry.objects.filter(subject_id=customer.pk).count() == 2
    assert [e.fields for e in access_log_of_customer(customer_id=neighbour.pk).entries] == [
        ("Email address",)
    ]


def test_the_staff_reference_is_stable_per_person_and_leads_to_no_name_or_id(service_agent, owner):
    customer = make_customer()
    for hours in range(2):
        record(
            AuditAction.REVEAL,
            service_agent,
            customer,
            ["email"],
            at=START + timedelta(hours=hours),
        )
    record(AuditAction.REVEAL, owner, customer, ["email"], at=START + timedelta(hours=3))

    refs = [entry.viewer_ref for entry in access_log_of_customer(customer_id=customer.pk).entries]

    assert refs[1] == refs[2] != refs[0]
    assert all(REF.fullmatch(ref) for ref in refs)
    for staff in (service_agent, owner):
        assert viewer_ref(staff.pk).lower() not in staff.pk.hex
        assert viewer_ref(staff.pk).lower() not in str(staff.username).lower()


def test_the_reasons_free_text_and_the_revealed_values_never_reach_the_customer(service_agent):
    customer = make_customer()
    record(AuditAction.REVEAL, service_agent, customer, ["email", "full_name"], at=START)

    (entry,) = access_log_of_customer(customer_id=customer.pk).entries
    shown = repr(entry)

    assert "Noura" not in shown
    assert "LUM-7K3Q-9F2D" not in shown
    assert str(customer.email) not in shown
    assert str(customer.customer.full_name) not in shown
    assert str(service_agent.username) not in shown
    assert str(service_agent.pk) not in shown


def test_labels_follow_the_active_language(service_agent):
    customer = make_customer()
    record(AuditAction.REVEAL, service_agent, customer, ["email", "full_name"], at=START)

    with translation.override("ar"):
        (entry,) = access_log_of_customer(customer_id=customer.pk).entries

    assert entry.viewer_role == "خدمة العملاء"
    assert entry.fields == ("البريد الإلكتروني", "الاسم الكامل")
    assert entry.reason == "دعم الطلب"


def test_a_staff_member_in_several_roles_is_shown_with_each(service_agent):
    both = make_staff_member("salma", "Customer service", "Compliance officer")
    customer = make_customer()
    record(AuditAction.REVEAL, both, customer, ["email"], at=START)

    (entry,) = access_log_of_customer(customer_id=customer.pk).entries

    assert sorted(entry.viewer_role.split(", ")) == ["Compliance officer", "Customer service"]


def test_pages_follow_one_another_by_cursor_and_end_with_none(service_agent):
    customer = make_customer()
    for day in range(5):
        record(AuditAction.REVEAL, service_agent, customer, ["email"], at=START + timedelta(day))

    first = access_log_of_customer(customer_id=customer.pk, limit=2)
    second = access_log_of_customer(customer_id=customer.pk, cursor=first.next_cursor, limit=2)
    third = access_log_of_customer(customer_id=customer.pk, cursor=second.next_cursor, limit=2)

    assert [e.at for e in first.entries + second.entries + third.entries] == [
        START + timedelta(day) for day in (4, 3, 2, 1, 0)
    ]
    assert third.next_cursor is None
    # The cursor is keyed: it does not tell how many entries the whole audit log holds.
    ids = {str(pk) for pk in AuditEntry.objects.values_list("pk", flat=True)}
    assert first.next_cursor not in ids
    assert re.fullmatch(r"[0-9a-f]{32}", first.next_cursor)


def test_an_altered_or_anothers_cursor_is_refused(service_agent):
    customer, neighbour = make_customer(), make_customer()
    for day in range(2):
        record(AuditAction.REVEAL, service_agent, customer, ["email"], at=START + timedelta(day))
        record(AuditAction.REVEAL, service_agent, neighbour, ["email"], at=START + timedelta(day))
    theirs = access_log_of_customer(customer_id=neighbour.pk, limit=1).next_cursor

    for cursor in (theirs, "0" * 32, "1"):
        with pytest.raises(ApplicationError) as refused:
            access_log_of_customer(customer_id=customer.pk, cursor=cursor, limit=1)
        assert refused.value.code == "invalid_cursor"
        assert refused.value.status_code == 400
        assert refused.value.field_errors == {
            "cursor": ["This page link is not valid; start from the first page."]
        }


def test_fields_read_the_same_whether_named_bare_or_with_their_model():
    assert field_label("accounts.User.email") == field_label("email") == "Email address"
    assert field_label("orders.Order.card_last4") == "Last four digits of the card"
    # A field the map does not know yet still reads as words, not as a code.
    assert field_label("loyalty_tier") == "loyalty tier"


def test_the_entry_shape_is_what_the_page_and_the_api_show():
    assert [f for f in AccessLogEntry.__dataclass_fields__] == [
        "at",
        "viewer_role",
        "viewer_ref",
        "fields",
        "reason",
        "cursor",
    ]
