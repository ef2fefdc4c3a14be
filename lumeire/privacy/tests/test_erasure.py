"""Erasure: the password and the emailed link, the grace period that signing in cancels, and
the erasure itself, after which nothing in the database leads back to the person."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import RequestFactory
from django.utils import timezone
from freezegun import freeze_time

from lumeire.accounts.models import ApiToken, Customer, SignInEvent, User
from lumeire.accounts.services.signin import api_token_issue, sign_in_check
from lumeire.accounts.tests.factories import PASSWORD, identity_number, make_customer
from lumeire.audit.models import AuditAction, AuditEntry
from lumeire.audit.verification import verify_chain
from lumeire.core.errors import ApplicationError
from lumeire.core.tests.database import every_cell
from lumeire.core.tokens import secret_hash
from lumeire.privacy.erasure import (
    erasure_cancel_on_sign_in,
    erasure_carry_out,
    erasure_confirm,
    erasure_request,
)
from lumeire.privacy.models import ErasureRequest, ErasureStatus
from lumeire.vault.fields import is_erased
from lumeire.vault.models import DataKey

pytestmark = pytest.mark.django_db

LINK = re.compile(r"/account/delete/confirm/([A-Za-z0-9_-]+)/")


def _raw_token() -> str:
    return LINK.search(mail.outbox[-1].body).group(1)


def _request():
    request = RequestFactory().post("/", REMOTE_ADDR="203.0.113.9")
    request.session = {}
    return request


def test_a_wrong_password_changes_nothing():
    customer = make_customer()
    mail.outbox.clear()
    with pytest.raises(ApplicationError) as refused:
        erasure_request(actor=customer, password="not the password")
    assert refused.value.code == "wrong_password"
    assert list(refused.value.field_errors) == ["password"]
    assert not ErasureRequest.objects.exists()
    assert mail.outbox == []
    assert not AuditEntry.objects.filter(action=AuditAction.ERASURE_REQUESTED).exists()


def test_the_link_schedules_erasure_after_the_grace_period_and_works_once(settings):
    settings.LUMEIRE_ERASURE_GRACE_DAYS = 14
    customer = make_customer()
    mail.outbox.clear()
    erasure = erasure_request(actor=customer, password=PASSWORD)
    raw = _raw_token()
    assert erasure.status == ErasureStatus.AWAITING_CONFIRMATION
    assert erasure.token_hash != raw and raw not in erasure.token_hash
    with freeze_time(timezone.now() + timedelta(hours=1)):
        confirmed = erasure_confirm(token_ref=secret_hash(raw))
        assert confirmed.status == ErasureStatus.SCHEDULED
        assert confirmed.erase_after == timezone.now() + timedelta(days=14)
    assert confirmed.token_hash is None
    with pytest.raises(ApplicationError) as refused:
        erasure_confirm(token_ref=secret_hash(raw))
    assert refused.value.code == "erasure_link_invalid"
    assert User.objects.get(pk=customer.pk).is_active


def test_an_expired_link_is_refused():
    customer = make_customer()
    erasure_request(actor=customer, password=PASSWORD)
    raw = _raw_token()
    with freeze_time(timezone.now() + timedelta(hours=25)), pytest.raises(ApplicationError):
        erasure_confirm(token_ref=secret_hash(raw))
    assert ErasureRequest.objects.get().status == ErasureStatus.AWAITING_CONFIRMATION


def test_signing_in_during_the_grace_period_cancels_it():
    customer = make_customer()
    erasure_request(actor=customer, password=PASSWORD)
    erasure_confirm(token_ref=secret_hash(_raw_token()))
    sign_in_check(request=_request(), login=customer.get_username(), password=PASSWORD)
    erasure = ErasureRequest.objects.get()
    assert erasure.status == ErasureStatus.CANCELLED
    assert (
        AuditEntry.objects.filter(
            action=AuditAction.ERASURE_CANCELLED, subject_id=customer.pk
        ).count()
        == 1
    )
    assert erasure_cancel_on_sign_in(customer) == 0


def test_signing_in_after_erasure_fails_like_a_wrong_password():
    customer = make_customer(username="gone.user")
    erasure_carry_out(customer)
    with pytest.raises(ApplicationError) as refused:
        sign_in_check(request=_request(), login="gone.user", password=PASSWORD)
    assert refused.value.status_code == 401


def test_after_erasure_the_account_is_an_empty_tombstone_and_its_values_are_free_again():
    number = identity_number(9101)
    customer = make_customer(
        username="salma.k",
        email="salma.k@example.com",
        identity_number=number,
        full_name="Salma Al-Kindi",
    )
    api_token_issue(user=customer)
    sign_in_check(request=_request(), login="salma.k", password=PASSWORD)
    mail.outbox.clear()

    assert erasure_carry_out(customer) is True

    assert [m.to for m in mail.outbox] == [["salma.k@example.com"]]
    cells = every_cell()
    for needle in ("salma.k", "salma al-kindi", number):
        assert not any(needle in cell for cell in cells), needle
    assert DataKey.objects.get(subject_id=customer.pk).wrapped_key is None
    tombstone = User.objects.get(pk=customer.pk)
    assert is_erased(tombstone.email) and is_erased(tombstone.username)
    assert tombstone.email_index is None and tombstone.username_index is None
    assert not tombstone.is_active and not tombstone.has_usable_password()
    profile = Customer.objects.get(pk=customer.pk)
    assert is_erased(profile.full_name) and is_erased(profile.identity_number)
    assert is_erased(profile.date_of_birth)
    assert profile.identity_index is None and profile.recovery_answer_hash == ""
    assert not ApiToken.objects.filter(user=customer).exists()
    assert not SignInEvent.objects.filter(user=customer).exists()
    again = make_customer(username="salma.k", email="salma.k@example.com", identity_number=number)
    assert again.pk != customer.pk
    assert AuditEntry.objects.filter(action=AuditAction.ERASED, subject_id=customer.pk).count() == 1
    assert verify_chain().broken_at is None
    # A second erasure does nothing and records nothing.
    assert erasure_carry_out(customer) is False
    assert AuditEntry.objects.filter(action=AuditAction.ERASED, subject_id=customer.pk).count() == 1
