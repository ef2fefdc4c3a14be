"""No personal value reaches the audit log's columns: only ids, field names and keyed hashes."""

from __future__ import annotations

import hashlib
import hmac
import uuid

import pytest
from django.db import connection

from lumeire.audit.models import AuditAction, AuditEntry, RevealReason
from lumeire.audit.services import audit_record
from lumeire.audit.tests.conftest import make_user

pytestmark = pytest.mark.django_db

EMAIL = "noura.alqahtani@example.com"
NAME = "Noura Al-Qahtani"
IDENTITY = "1098765432"
ADDRESS = "198.51.100.23"


# The interfaces pass lumeire.accounts.pseudonyms.client_ref(address): a keyed hash like this.
def _reveal(staff, customer, field: str, value: str) -> str:
    """What a reveal does: the clear value goes back to the page; the log keeps its name."""
    audit_record(
        actor=staff,
        action=AuditAction.REVEAL,
        target_type="accounts.customer",
        target_id=str(customer.pk),
        subject_id=customer.pk,
        fields=[field],
        reason_category=RevealReason.CUSTOMER_REQUEST,
        reason="Customer asked on the phone to confirm the address on file",
        client_ref=hmac.new(b"test key", ADDRESS.encode(), hashlib.sha256).hexdigest(),
    )
    return value


def test_reveals_of_email_name_and_identity_number_leave_no_value_in_any_column():
    staff = make_user(groups=("Owner",))
    customer = make_user(kind="customer", email=EMAIL)
    shown = [
        _reveal(staff, customer, "email", customer.email),
        _reveal(staff, customer, "full_name", NAME),
        _reveal(staff, customer, "identity_number", IDENTITY),
    ]
    assert shown == [EMAIL, NAME, IDENTITY]

    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM audit_auditentry")
        rows = cursor.fetchall()
    assert len(rows) == 3
    dumped = " ".join(str(column) for row in rows for column in row).lower()
    for value in (EMAIL, "noura", "al-qahtani", IDENTITY, "98765", ADDRESS, customer.username):
        assert value.lower() not in dumped, value
    entries = list(AuditEntry.objects.order_by("id"))
    assert [entry.fields for entry in entries] == [["email"], ["full_name"], ["identity_number"]]
    assert {entry.subject_id for entry in entries} == {customer.pk}
    assert all(len(entry.client_ref) == 64 for entry in entries)


def test_a_value_passed_as_a_field_or_target_is_refused_before_anything_is_written():
    customer = make_user(kind="customer", email=EMAIL)
    for wrong in (
        {"fields": [EMAIL]},
        {"fields": [NAME]},
        {"target_id": NAME},
        {"client_ref": ADDRESS},
    ):
        with pytest.raises(ValueError):
            audit_record(
                actor=None,
                action=AuditAction.REVEAL,
                subject_id=uuid.UUID(str(customer.pk)),
                **wrong,
            )
    assert AuditEntry.objects.count() == 0
