"""Account events the audit log keeps: customer lockouts and sign-ups that met an existing account,
each by names and keyed hashes only."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from lumeire.accounts.errors import AccountError, AccountErrorCode
from lumeire.accounts.models import SignupConflict
from lumeire.accounts.services.signin import sign_in_check
from lumeire.accounts.services.signup import customer_sign_up
from lumeire.accounts.tests.factories import make_customer, sign_up_data
from lumeire.audit.models import AuditAction, AuditEntry

pytestmark = pytest.mark.django_db


def _columns(entry: AuditEntry) -> str:
    return " ".join(str(getattr(entry, field.attname)) for field in AuditEntry._meta.fields)


def test_a_customer_lockout_is_audited_without_the_login_or_the_address():
    make_customer(username="layla")
    request = RequestFactory().post("/en/account/sign-in/", REMOTE_ADDR="198.51.100.1")
    for _ in range(6):
        with pytest.raises(AccountError) as refused:
            sign_in_check(request=request, login="layla", password="wrong password here")

    assert refused.value.code == AccountErrorCode.LOCKED_OUT
    # Each refused attempt while locked is one entry (the lock starts at the fifth failure).
    entries = list(AuditEntry.objects.filter(action=AuditAction.CUSTOMER_LOCKED_OUT))
    assert len(entries) == 2
    for entry in entries:
        assert entry.actor_kind == "system" and entry.client_ref
        assert "layla" not in _columns(entry) and "198.51.100.1" not in _columns(entry)


def test_a_sign_up_with_a_taken_email_is_audited_by_field_name_only():
    owner = make_customer(email="owner@example.com")
    customer_sign_up(data=sign_up_data(email="owner@example.com"), client_address="203.0.113.9")

    conflict = SignupConflict.objects.get()
    [entry] = AuditEntry.objects.filter(action=AuditAction.SIGNUP_CONFLICT)
    assert (entry.target_id, entry.subject_id, entry.fields) == (
        str(conflict.pk),
        owner.pk,
        ["email"],
    )
    assert "owner@example.com" not in _columns(entry)
