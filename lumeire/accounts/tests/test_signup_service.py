"""Sign-up keeps exactly what the policy lists, validated, and never tells who is a customer."""

from __future__ import annotations

from datetime import date

import pytest
from django.core import mail
from django.utils import timezone, translation
from freezegun import freeze_time

from lumeire.accounts.errors import AccountError
from lumeire.accounts.models import Customer, SignupConflict, User
from lumeire.accounts.services.signup import customer_sign_up
from lumeire.accounts.tests.factories import make_customer, sign_up_data
from lumeire.privacy.models import PolicyAcceptance
from lumeire.vault.keycache import data_key_cache

pytestmark = pytest.mark.django_db


def field_errors(**overrides: object) -> dict[str, list[str]]:
    with pytest.raises(AccountError) as refused:
        customer_sign_up(data=sign_up_data(**overrides))
    return refused.value.field_errors


@pytest.mark.password_hashing
def test_sign_up_keeps_every_listed_value_and_reads_them_back():
    user = make_customer(username="Aisha_1", email="Aisha@Example.com", full_name="Aisha Al-Harbi")
    data_key_cache.clear()
    again = User.objects.get(pk=user.pk)
    assert again.username == "Aisha_1"
    assert again.email == "Aisha@Example.com"
    assert again.customer.full_name == "Aisha Al-Harbi"
    assert again.customer.date_of_birth == date(1990, 5, 17)
    assert again.customer.identity_type == "national_id"
    assert again.customer.identity_number_masked.startswith("1******")
    assert again.password.startswith("argon2$argon2id$")
    assert again.customer.recovery_answer_hash.startswith("argon2$argon2id$")
    assert PolicyAcceptance.objects.filter(user=user, version__version=1).count() == 1


@freeze_time("2026-11-25")
def test_age_is_derived_from_the_date_of_birth():
    user = make_customer(date_of_birth=date(2000, 11, 26))
    assert user.customer.age == 25


@freeze_time("2026-11-25")
@pytest.mark.parametrize(
    ("born", "message"),
    [
        (date(2026, 11, 26), "cannot be in the future"),
        (date(1899, 12, 31), "after 1900"),
        (date(2008, 11, 26), "at least 18 years old"),
    ],
)
def test_bad_dates_of_birth_are_refused_and_nothing_is_saved(born, message):
    errors = field_errors(date_of_birth=born)
    assert message in errors["date_of_birth"][0]
    assert User.objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"username": "ab"}, "username"),
        ({"username": "has space"}, "username"),
        ({"username": "x" * 31}, "username"),
        ({"email": "not-an-email"}, "email"),
        ({"identity_number": "1000000000"}, "identity_number"),
        ({"identity_number": "3000000001"}, "identity_number"),
        ({"password": "short pass"}, "password"),
        ({"password": "x" * 129}, "password"),
        ({"password": "1q2w3e4r5t6y7u8i9o0p"}, "password"),
        ({"password": "lumeire-lumeire-2026"}, "password"),
        ({"recovery_question": "mothers_maiden_name"}, "recovery_question"),
        ({"recovery_answer": " a "}, "recovery_answer"),
        ({"accepted_policy_version": None}, "accepted_policy_version"),
        ({"accepted_policy_version": 99}, "accepted_policy_version"),
        ({"full_name": "   "}, "full_name"),
    ],
)
def test_each_bad_field_gets_its_own_message_and_nothing_is_saved(overrides, field):
    errors = field_errors(**overrides)
    assert list(errors) == [field]
    assert User.objects.count() == 0
    assert Customer.objects.count() == 0


def test_arabic_usernames_and_long_unicode_passwords_are_accepted():
    user = make_customer(username="عائشة_٢", password="كلمة مرور طويلة جدا 🌙 " * 3)
    assert user.check_password("كلمة مرور طويلة جدا 🌙 " * 3)


def test_usernames_are_unique_without_regard_to_case():
    make_customer(username="Noura")
    assert "taken" in field_errors(username="NOURA")["username"][0]


def test_messages_come_in_the_requests_language():
    with translation.override("ar"):
        errors = field_errors(identity_number="1000000000", password="short")
    assert all(any("\u0600" <= ch <= "\u06ff" for ch in m) for m in errors["identity_number"])
    assert all(any("\u0600" <= ch <= "\u06ff" for ch in m) for m in errors["password"])


def test_a_taken_email_looks_like_success_and_warns_the_owner():
    owner = make_customer(email="owner@example.com")
    mail.outbox.clear()
    outcome = customer_sign_up(data=sign_up_data(email="OWNER@example.com"))
    assert outcome.user is None
    assert User.objects.count() == 1
    assert [m.to for m in mail.outbox] == [["owner@example.com"]]
    assert "tried to open" in mail.outbox[0].subject
    conflict = SignupConflict.objects.get()
    assert conflict.existing_user == owner
    assert conflict.kind == "email"


def test_a_taken_identity_number_is_recorded_by_reference_only():
    owner = make_customer(identity_number="1058529940")
    mail.outbox.clear()
    outcome = customer_sign_up(data=sign_up_data(identity_number="1058-529-940"))
    assert outcome.user is None
    conflict = SignupConflict.objects.get()
    assert conflict.kind == "identity_number"
    assert conflict.existing_user == owner
    assert "1058529940" not in conflict.index_ref
    assert len(mail.outbox) == 1


def test_a_new_account_gets_a_confirmation_email():
    mail.outbox.clear()
    make_customer(email="new@example.com")
    assert [m.to for m in mail.outbox] == [["new@example.com"]]
    assert "/account/email/confirm/" in mail.outbox[0].body


def test_sign_up_records_the_acceptance_time():
    before = timezone.now()
    user = make_customer()
    assert PolicyAcceptance.objects.get(user=user).accepted_at >= before
