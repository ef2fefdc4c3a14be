"""Sign-up keeps exactly what the policy lists, opens only from the emailed link, and never tells
who is a customer."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django_tasks_db.models import DBTaskResult
from freezegun import freeze_time

from lumeire.accounts.errors import AccountError, AccountErrorCode
from lumeire.accounts.models import (
    Customer,
    PendingSignUp,
    SignupConflict,
    TakenDetailsAttempt,
    User,
)
from lumeire.accounts.services.signup import customer_sign_up
from lumeire.accounts.services.signup_link import sign_up_complete, sign_up_link_open
from lumeire.accounts.tasks import sign_up_follow_up
from lumeire.accounts.tests.factories import (
    make_customer,
    open_account,
    sign_up_and_get_link,
    sign_up_data,
)
from lumeire.audit.models import AuditEntry
from lumeire.core.tokens import secret_hash
from lumeire.privacy.models import PolicyAcceptance
from lumeire.vault.keycache import data_key_cache

pytestmark = pytest.mark.django_db


def field_errors(**overrides: object) -> dict[str, list[str]]:
    with pytest.raises(AccountError) as refused:
        customer_sign_up(data=sign_up_data(**overrides))
    return refused.value.field_errors


def complete(token: str, **kwargs: object) -> User:
    return sign_up_complete(token_ref=secret_hash(token), client_address="192.0.2.9", **kwargs)


@pytest.mark.password_hashing
def test_sign_up_keeps_every_listed_value_and_reads_them_back():
    user = make_customer(username="Aisha_1", email="Aisha@Example.com", full_name="Aisha Al-Harbi")
    data_key_cache.clear()
    again = User.objects.get(pk=user.pk)
    assert again.username == "Aisha_1"
    assert again.email == "Aisha@Example.com"
    assert again.email_verified_at is not None, "the link reached the mailbox"
    assert again.customer.full_name == "Aisha Al-Harbi"
    assert again.customer.date_of_birth == date(1990, 5, 17)
    assert again.customer.identity_type == "national_id"
    assert again.customer.identity_number_masked.startswith("1******")
    assert again.password.startswith("argon2$argon2id$")
    assert again.customer.recovery_answer_hash.startswith("argon2$argon2id$")
    assert PolicyAcceptance.objects.filter(user=user, version__version=1).count() == 1
    assert not PendingSignUp.objects.exists(), "the pending sign-up is deleted once opened"


def test_no_account_exists_until_the_emailed_link_is_opened():
    data = sign_up_data(email="new@example.com")
    token = sign_up_and_get_link(data)

    assert User.objects.count() == 0 and Customer.objects.count() == 0
    assert [m.to for m in mail.outbox] == [["new@example.com"]]
    assert token and "/account/sign-up/open/" in mail.outbox[0].body
    pending = PendingSignUp.objects.get()
    assert pending.token_hash == secret_hash(token), "only the token's hash is kept"
    assert sign_up_link_open(token_ref=secret_hash(token)) == pending

    user = complete(token)

    assert User.objects.get() == user and user.pk == pending.account_id
    with pytest.raises(AccountError) as used:
        complete(token)
    assert (used.value.code, used.value.status_code) == (AccountErrorCode.LINK_INVALID, 404)


def test_a_pending_sign_up_keeps_its_values_sealed():
    sign_up_and_get_link(sign_up_data(full_name="Sealed Name", email="sealed@example.com"))
    table = PendingSignUp._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - a fixed table name
        raw = repr(cursor.fetchall())
    assert "Sealed Name" not in raw and "sealed@example.com" not in raw


def test_the_link_expires_after_a_day():
    token = sign_up_and_get_link(sign_up_data())
    later = timezone.now() + timedelta(hours=24, seconds=1)
    with freeze_time(later), pytest.raises(AccountError) as expired:
        complete(token)
    assert expired.value.status_code == 404
    assert User.objects.count() == 0


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
    assert User.objects.count() == 0 and PendingSignUp.objects.count() == 0


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
    assert PendingSignUp.objects.count() == 0
    assert mail.outbox == []


def test_arabic_usernames_are_stored_with_digits_0_to_9_and_sign_in_either_way():
    user = make_customer(username="عائشة_٢", password="كلمة مرور طويلة جدا 🌙 " * 3)
    assert user.check_password("كلمة مرور طويلة جدا 🌙 " * 3)
    assert user.get_username() == "عائشة_2"
    from lumeire.accounts.selectors import user_by_login

    assert user_by_login("عائشة_٢") == user == user_by_login("عائشة_2")


def test_messages_come_in_the_requests_language():
    with translation.override("ar"):
        errors = field_errors(identity_number="1000000000", password="short")
    assert all(any("\u0600" <= ch <= "\u06ff" for ch in m) for m in errors["identity_number"])
    assert all(any("\u0600" <= ch <= "\u06ff" for ch in m) for m in errors["password"])


def test_a_taken_email_sends_only_a_notice_to_its_owner_and_is_recorded():
    owner = make_customer(email="owner@example.com")
    mail.outbox.clear()

    customer_sign_up(data=sign_up_data(email="OWNER@example.com"), client_address="192.0.2.1")

    assert User.objects.count() == 1 and not PendingSignUp.objects.exists()
    assert [m.to for m in mail.outbox] == [["owner@example.com"]]
    assert "tried to open" in mail.outbox[0].subject
    assert "/sign-up/open/" not in mail.outbox[0].body
    conflict = SignupConflict.objects.get()
    assert (conflict.existing_user, conflict.kind) == (owner, "email")
    assert TakenDetailsAttempt.objects.get().kind == "sign_up_email"


def test_a_taken_username_is_said_only_on_the_links_page_and_can_be_replaced():
    make_customer(username="Noura")
    token = sign_up_and_get_link(sign_up_data(username="NOURA"))
    assert token is not None, "the sign-up answer says nothing about the username"

    with pytest.raises(AccountError) as taken:
        complete(token)
    assert taken.value.field_errors == {"username": ["This username is taken. Choose another one."]}
    assert TakenDetailsAttempt.objects.get().kind == "sign_up_username"

    user = complete(token, username="Noura_2")
    assert user.get_username() == "Noura_2"


def test_a_taken_identity_number_ends_the_sign_up_at_the_link_audited_and_told_to_its_holder():
    holder = make_customer(identity_number="1058529940", email="holder@example.com")
    token = sign_up_and_get_link(sign_up_data(identity_number="1058-529-940"))
    mail.outbox.clear()

    with pytest.raises(AccountError) as refused:
        complete(token)

    assert (refused.value.code, refused.value.status_code) == (AccountErrorCode.DETAILS_TAKEN, 409)
    assert User.objects.count() == 1 and not PendingSignUp.objects.exists()
    conflict = SignupConflict.objects.get()
    assert (conflict.kind, conflict.existing_user) == ("identity_number", holder)
    assert "1058529940" not in conflict.index_ref
    entry = AuditEntry.objects.filter(action="signup_conflict").get()
    assert (entry.subject_id, entry.fields) == (holder.pk, ["identity_number"])
    assert [m.to for m in mail.outbox] == [["holder@example.com"]]
    with pytest.raises(AccountError):
        complete(token)


def test_an_address_that_got_an_account_meanwhile_is_refused_at_the_second_link():
    first = sign_up_and_get_link(sign_up_data(email="twice@example.com"))
    second = sign_up_and_get_link(sign_up_data(email="twice@example.com"))
    complete(first)
    with pytest.raises(AccountError) as refused:
        complete(second)
    assert refused.value.code == AccountErrorCode.DETAILS_TAKEN
    assert User.objects.count() == 1


def _statement_shapes(queries) -> list[tuple[str, str]]:
    """Each query as (verb, first table): what the request did, without the values."""
    shapes = []
    for query in queries:
        sql = query["sql"].lstrip()
        verb = sql.split(None, 1)[0].upper()
        tables = re.findall(r'"(\w+)"', sql)
        # Savepoint names are counters, not work.
        table = tables[0] if tables and verb in ("SELECT", "INSERT", "UPDATE", "DELETE") else ""
        shapes.append((verb, table))
    return shapes


def test_the_request_does_the_same_work_whether_the_email_is_taken_or_free(settings, monkeypatch):
    """The username-first oracle, and its timing: U with someone's email, then U with fresh
    values. The request hashes, seals and queues alike; the email is decided in the follow-up."""
    make_customer(email="victim@example.com", username="victim")
    caches["shared"].clear()  # the victim's own sign-up counted on the address's limit
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    hashes: list[str] = []
    import lumeire.accounts.services.signup as signup

    real = signup.make_password
    monkeypatch.setattr(signup, "make_password", lambda value: hashes.append(value) or real(value))
    work = []
    # Two clients, so each request meets its own rate-limit counters for the first time.
    for email, address in (("victim@example.com", "192.0.2.1"), ("fresh@example.com", "192.0.2.2")):
        mail.outbox.clear()
        hashes.clear()
        with CaptureQueriesContext(connection) as queries:
            answer = customer_sign_up(
                data=sign_up_data(username="probe_u", email=email), client_address=address
            )
        work.append((answer, len(hashes), len(mail.outbox), _statement_shapes(queries)))

    assert work[0] == work[1]
    assert work[0][:3] == (None, 2, 0)
    assert PendingSignUp.objects.count() == 2
    assert not SignupConflict.objects.exists(), "nothing is decided in the request"

    # The worker's follow-ups: a notice to the owner, a link to the free address.
    mail.outbox.clear()
    done = [
        sign_up_follow_up.call(*row.args_kwargs["args"])
        for row in DBTaskResult.objects.order_by("enqueued_at")
    ]
    assert done == ["email_taken", "link_sent"]
    assert [m.to for m in mail.outbox] == [["victim@example.com"], ["fresh@example.com"]]
    assert SignupConflict.objects.get().kind == "email"
    # The username is still free whatever the first sign-up named: nothing opened yet.
    assert not User.objects.filter(
        username_index=User._meta.get_field("username_index").index_of("probe_u")
    ).exists()


def test_the_sign_up_link_email_carries_no_secret_but_the_link():
    mail.outbox.clear()
    token = sign_up_and_get_link(sign_up_data(email="new@example.com"))
    body = mail.outbox[0].body
    assert PendingSignUp.objects.get().password_hash not in body
    assert re.findall(r"/account/sign-up/open/([\w-]+)/", body) == [token]


def test_sign_up_records_the_acceptance():
    before = timezone.now()
    user = open_account(sign_up_data())
    assert PolicyAcceptance.objects.get(user=user).accepted_at >= before
