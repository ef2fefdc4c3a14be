"""Sign-in: lockouts by keyed hashes, events without logins, two-factor, API tokens."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest
from django.contrib.auth.hashers import make_password
from django.test import RequestFactory
from django.utils import timezone
from freezegun import freeze_time

from lumeire.accounts.errors import AccountError, AccountErrorCode
from lumeire.accounts.models import SignInEvent, User
from lumeire.accounts.selectors import user_for_api_token
from lumeire.accounts.services.signin import (
    api_token_issue,
    api_token_revoke,
    api_tokens_revoke_all,
    sign_in_check,
)
from lumeire.accounts.services.two_factor import (
    two_factor_begin,
    two_factor_check,
    two_factor_confirm,
)
from lumeire.accounts.tests.factories import PASSWORD, make_customer

pytestmark = pytest.mark.django_db


def request_from(address: str = "198.51.100.10"):
    return RequestFactory().post("/en/account/sign-in/", REMOTE_ADDR=address)


def attempt(login: str, password: str, address: str = "198.51.100.10", **extra) -> User:
    return sign_in_check(request=request_from(address), login=login, password=password, **extra)


def test_sign_in_by_username_or_email_in_any_case():
    user = make_customer(username="Layla", email="layla@example.com")
    assert attempt("layla", PASSWORD) == user
    assert attempt("LAYLA@example.com", PASSWORD) == user


def test_wrong_password_and_unknown_login_fail_alike():
    make_customer(username="layla")
    with pytest.raises(AccountError) as wrong:
        attempt("layla", "not the password at all")
    with pytest.raises(AccountError) as unknown:
        attempt("nobody-here", "not the password at all")
    assert (wrong.value.code, wrong.value.message, wrong.value.status_code) == (
        unknown.value.code,
        unknown.value.message,
        unknown.value.status_code,
    )


def test_five_failures_lock_the_account_even_for_the_right_password_then_it_unlocks():
    make_customer(username="layla")
    with freeze_time(timezone.now()) as clock:
        for _ in range(5):
            with pytest.raises(AccountError):
                attempt("layla", "wrong password here", address="198.51.100.1")
        with pytest.raises(AccountError) as locked:
            attempt("layla", PASSWORD, address="198.51.100.2")
        assert locked.value.code == AccountErrorCode.LOCKED_OUT
        assert locked.value.status_code == 429
        assert locked.value.retry_after == 15 * 60
        clock.tick(timedelta(minutes=15, seconds=1))
        assert attempt("layla", PASSWORD, address="198.51.100.2").get_username() == "layla"


def test_the_lock_message_is_the_same_for_an_unknown_account():
    make_customer(username="layla")
    messages = []
    for login in ("layla", "ghost-account"):
        for _ in range(5):
            with pytest.raises(AccountError):
                attempt(login, "wrong password here", address=f"198.51.100.{len(login)}")
        with pytest.raises(AccountError) as locked:
            attempt(login, "wrong password here", address="192.0.2.99")
        messages.append((locked.value.code, locked.value.message))
    assert messages[0] == messages[1]


def test_failures_from_one_address_lock_that_address_not_other_people():
    make_customer(username="victim")
    other = make_customer(username="bystander")
    for index in range(5):
        with pytest.raises(AccountError):
            attempt(f"guess{index}", "wrong password here", address="203.0.113.66")
    with pytest.raises(AccountError) as locked:
        attempt("victim", PASSWORD, address="203.0.113.66")
    assert locked.value.code == AccountErrorCode.LOCKED_OUT
    assert attempt("bystander", PASSWORD, address="203.0.113.67") == other


def test_events_keep_keyed_hashes_not_the_login_or_the_address():
    user = make_customer(username="layla")
    attempt("layla", PASSWORD, address="198.51.100.23")
    with pytest.raises(AccountError):
        attempt("layla", "wrong password here", address="198.51.100.23")
    events = list(SignInEvent.objects.order_by("at"))
    assert [e.outcome for e in events] == ["success", "failure"]
    assert events[0].user == user and events[1].user is None
    for event in events:
        assert re.fullmatch(r"[0-9a-f]{64}", event.login_ref)
        assert re.fullmatch(r"[0-9a-f]{64}", event.client_ref)
        assert "layla" not in event.login_ref and "198.51" not in event.client_ref
    assert events[0].login_ref == events[1].login_ref


@pytest.mark.password_hashing
def test_argon2id_parameters_meet_the_floor():
    user = make_customer()
    match = re.match(r"^argon2\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$", user.password)
    assert match and int(match[1]) >= 19456 and int(match[2]) >= 2


@pytest.mark.password_hashing
def test_a_legacy_pbkdf2_hash_is_upgraded_at_sign_in():
    user = make_customer(username="legacy")
    User.objects.filter(pk=user.pk).update(password=make_password(PASSWORD, hasher="pbkdf2_sha256"))
    attempt("legacy", PASSWORD)
    assert User.objects.get(pk=user.pk).password.startswith("argon2$argon2id$")


@pytest.mark.password_hashing
def test_two_nearly_identical_long_passwords_are_not_interchangeable():
    long_password = "a quiet walk along the corniche at dawn " * 2 + "x1"
    user = make_customer(username="longpass", password=long_password)
    assert not user.check_password(long_password[:-1] + "2")
    assert user.check_password(long_password)


def test_two_factor_requires_a_current_code_and_refuses_replay():
    user = make_customer(username="guarded")
    enrolment = two_factor_begin(actor=user)
    totp = pyotp.TOTP(enrolment.secret)
    codes = two_factor_confirm(actor=user, code=totp.now())
    assert len(codes) == 10 and len(set(codes)) == 10
    with pytest.raises(AccountError) as missing:
        attempt("guarded", PASSWORD)
    assert missing.value.code == AccountErrorCode.TWO_FACTOR_REQUIRED
    with freeze_time(timezone.now() + timedelta(seconds=60)):
        fresh = totp.now()
        assert attempt("guarded", PASSWORD, otp=fresh) == user
        with pytest.raises(AccountError) as replay:
            attempt("guarded", PASSWORD, otp=fresh)
    assert replay.value.code == AccountErrorCode.TWO_FACTOR_INVALID


def test_a_recovery_code_works_once_in_place_of_the_app():
    user = make_customer(username="guarded")
    enrolment = two_factor_begin(actor=user)
    codes = two_factor_confirm(actor=user, code=pyotp.TOTP(enrolment.secret).now())
    assert two_factor_check(user=user, code=codes[3]) is True
    assert two_factor_check(user=user, code=codes[3]) is False


def test_api_tokens_are_stored_hashed_expire_and_can_be_revoked():
    user = make_customer()
    issued = api_token_issue(user=user)
    assert issued.raw not in issued.token.token_hash
    assert user_for_api_token(issued.raw) == user
    with freeze_time(timezone.now() + timedelta(days=30, seconds=1)):
        assert user_for_api_token(issued.raw) is None
    assert api_token_revoke(user=user, token_id=issued.token.pk) is True
    assert user_for_api_token(issued.raw) is None
    second = api_token_issue(user=user)
    assert api_tokens_revoke_all(user=user) == 1
    assert user_for_api_token(second.raw) is None


def test_an_account_of_another_kind_fails_like_a_wrong_password():
    from lumeire.accounts.models import AccountKind

    make_customer(username="shopper")
    with pytest.raises(AccountError) as refused:
        attempt("shopper", PASSWORD, kind=AccountKind.STAFF)
    assert refused.value.code == AccountErrorCode.INVALID_CREDENTIALS
    assert SignInEvent.objects.get().outcome == "failure"


def test_a_good_sign_in_clears_the_accounts_failures_but_not_the_addresses():
    make_customer(username="layla")
    for _ in range(4):
        with pytest.raises(AccountError):
            attempt("layla", "wrong password here", address="198.51.100.40")
    attempt("layla", PASSWORD, address="198.51.100.41")
    for _ in range(4):  # four more on the account alone: still not locked
        with pytest.raises(AccountError) as wrong:
            attempt("layla", "wrong password here", address="198.51.100.42")
        assert wrong.value.code == AccountErrorCode.INVALID_CREDENTIALS
    with pytest.raises(AccountError) as address_locked:
        attempt("someone-else", "wrong password here", address="198.51.100.40")
    assert address_locked.value.code == AccountErrorCode.LOCKED_OUT


def test_guessing_the_current_password_of_a_change_counts_toward_the_lock():
    from lumeire.accounts.services.profile import password_change

    user = make_customer(username="layla")
    for _ in range(5):
        with pytest.raises(AccountError) as wrong:
            password_change(
                actor=user,
                current_password="a guess at it",
                new_password="x" * 20,
                request=request_from("198.51.100.50"),
            )
    assert wrong.value.code in (AccountErrorCode.WRONG_PASSWORD, AccountErrorCode.LOCKED_OUT)
    with pytest.raises(AccountError) as locked:
        password_change(
            actor=user,
            current_password=PASSWORD,
            new_password="y" * 20,
            request=request_from("198.51.100.51"),
        )
    assert locked.value.code == AccountErrorCode.LOCKED_OUT
    assert User.objects.get(pk=user.pk).check_password(PASSWORD)
