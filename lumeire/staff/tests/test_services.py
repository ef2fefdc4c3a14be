"""Opening staff accounts and the staff sign-in service (the pages: backoffice tests)."""

from __future__ import annotations

import time

import pyotp
import pytest
from django.contrib.auth.models import Group
from django.test import RequestFactory

from lumeire.accounts.errors import AccountError, AccountErrorCode
from lumeire.accounts.models import AccountKind, User
from lumeire.accounts.services.two_factor import two_factor_begin, two_factor_confirm
from lumeire.accounts.tests.factories import PASSWORD, make_customer
from lumeire.audit.models import AuditAction, AuditEntry
from lumeire.staff.access import staff_roles
from lumeire.staff.errors import StaffError
from lumeire.staff.roles import Role
from lumeire.staff.services import staff_create, staff_sign_in

pytestmark = pytest.mark.django_db

STAFF_PASSWORD = "amber lantern over a quiet harbour"


def _request():
    request = RequestFactory().post("/backoffice/login/", REMOTE_ADDR="192.0.2.10")
    request.session = {}
    return request


def _staff(username: str = "rana.staff", groups=("Legal counsel",)) -> User:
    return staff_create(
        username=username, email=f"{username}@example.com", password=STAFF_PASSWORD, groups=groups
    )


def test_staff_create_makes_a_staff_account_with_several_roles_and_records_them():
    user = _staff(groups=["Compliance officer", "Analyst"])
    assert user.kind == AccountKind.STAFF
    assert staff_roles(user) == {Role.COMPLIANCE_OFFICER, Role.ANALYST}
    [entry] = AuditEntry.objects.filter(action=AuditAction.ROLES_CHANGED)
    assert (entry.actor_kind, entry.target_id, entry.fields, entry.reason) == (
        "system",
        str(user.pk),
        ["groups"],
        "Compliance officer, Analyst",
    )


def test_refused_input_creates_nothing_and_records_nothing():
    with pytest.raises(StaffError):
        staff_create(username="x", email="bad", password="short", groups=["Nope"])
    assert not User.objects.exists()
    assert not AuditEntry.objects.exists()
    assert Group.objects.get(name="Analyst").user_set.count() == 0


def test_sign_in_without_a_device_needs_enrolment_and_records_no_sign_in_yet():
    user = _staff()
    outcome = staff_sign_in(request=_request(), login=user.username, password=STAFF_PASSWORD)
    assert (outcome.user, outcome.needs_enrolment) == (user, True)
    assert not AuditEntry.objects.filter(action=AuditAction.STAFF_SIGN_IN).exists()


def test_sign_in_with_a_device_needs_the_code_then_records_the_sign_in():
    user = _staff()
    enrolment = two_factor_begin(actor=user)
    totp = pyotp.TOTP(enrolment.secret)
    two_factor_confirm(actor=user, code=totp.now())
    with pytest.raises(AccountError) as asked:
        staff_sign_in(request=_request(), login=user.username, password=STAFF_PASSWORD)
    assert asked.value.code == AccountErrorCode.TWO_FACTOR_REQUIRED
    assert not AuditEntry.objects.filter(action__startswith="staff_").exists()
    code = totp.at(time.time() + totp.interval)  # the next step: the first one is used
    outcome = staff_sign_in(
        request=_request(), login=user.username, password=STAFF_PASSWORD, code=code
    )
    assert outcome.needs_enrolment is False
    [entry] = AuditEntry.objects.filter(action=AuditAction.STAFF_SIGN_IN)
    assert entry.actor_id == user.pk
    assert len(entry.client_ref) == 64


def test_a_customer_fails_like_a_wrong_password():
    customer = make_customer()
    with pytest.raises(AccountError) as refused:
        staff_sign_in(request=_request(), login=customer.username, password=PASSWORD)
    assert refused.value.code == AccountErrorCode.INVALID_CREDENTIALS
    [entry] = AuditEntry.objects.filter(action=AuditAction.STAFF_SIGN_IN_FAILED)
    assert entry.actor_id is None
    assert customer.username not in entry.reason
    assert "192.0.2.10" not in entry.client_ref
