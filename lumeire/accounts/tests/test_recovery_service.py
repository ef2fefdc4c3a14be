"""Recovery needs both the emailed link and the answer; neither alone changes anything."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import RequestFactory
from django.utils import timezone
from freezegun import freeze_time

from lumeire.accounts.errors import AccountError, AccountErrorCode
from lumeire.accounts.models import RecoveryToken, SignInEvent, User
from lumeire.accounts.normalization import normalize_recovery_answer
from lumeire.accounts.selectors import user_for_api_token
from lumeire.accounts.services.recovery import (
    password_recovery_complete,
    password_recovery_request,
)
from lumeire.accounts.services.signin import api_token_issue
from lumeire.accounts.tests.factories import PASSWORD, make_customer
from lumeire.core.tokens import secret_hash

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "a brand new sentence for my password"


def request_link(login: str, address: str = "198.51.100.5") -> str | None:
    mail.outbox.clear()
    password_recovery_request(login=login, client_address=address)
    if not mail.outbox:
        return None
    return re.search(r"/account/recover/([\w-]+)/", mail.outbox[0].body)[1]


def complete(token: str, answer: str = "al-noor school", password: str = NEW_PASSWORD) -> User:
    return password_recovery_complete(
        token_ref=secret_hash(token),
        recovery_answer=answer,
        new_password=password,
        request=RequestFactory().post("/", REMOTE_ADDR="198.51.100.5"),
    )


def password_of(user: User) -> str:
    return User.objects.get(pk=user.pk).password


def test_normalisation_matches_spacing_case_and_arabic_variants():
    assert normalize_recovery_answer("  Al-Noor  School ") == normalize_recovery_answer(
        "al-noor school"
    )
    assert normalize_recovery_answer("مدرسة أحمد") == normalize_recovery_answer("مدرسه احمد")
    assert normalize_recovery_answer("إيمان") == normalize_recovery_answer("ايمان")
    assert normalize_recovery_answer("مصطفى") == normalize_recovery_answer("مصطفي")
    assert normalize_recovery_answer("مَدْرَسَة") == normalize_recovery_answer("مدرسه")
    assert normalize_recovery_answer("٢٠١٠") == "2010"


def test_link_and_right_answer_reset_the_password_without_signing_in():
    user = make_customer(username="mona")
    token = request_link("mona")
    assert token is not None
    assert complete(token) == user
    refreshed = User.objects.get(pk=user.pk)
    assert refreshed.check_password(NEW_PASSWORD)
    assert not refreshed.check_password(PASSWORD)
    assert "password" in mail.outbox[-1].subject.lower()


def test_the_link_without_the_right_answer_changes_nothing():
    user = make_customer(username="mona")
    before = password_of(user)
    token = request_link("mona")
    with pytest.raises(AccountError) as wrong:
        complete(token, answer="some other school")
    assert wrong.value.code == AccountErrorCode.RECOVERY_ANSWER_WRONG
    assert "recovery_answer" in wrong.value.field_errors
    assert password_of(user) == before


def test_the_right_answer_without_a_valid_link_changes_nothing():
    user = make_customer(username="mona")
    before = password_of(user)
    for token in ("", "made-up-token", "x" * 300):
        with pytest.raises(AccountError) as refused:
            complete(token)
        assert refused.value.status_code == 404
    assert password_of(user) == before


def test_the_link_works_once():
    make_customer(username="mona")
    token = request_link("mona")
    complete(token)
    with pytest.raises(AccountError) as again:
        complete(token, password="yet another long pass phrase here")
    assert again.value.code == AccountErrorCode.RECOVERY_LINK_INVALID


def test_the_link_expires_after_fifteen_minutes():
    user = make_customer(username="mona")
    before = password_of(user)
    token = request_link("mona")
    later = timezone.now() + timedelta(minutes=15, seconds=1)
    with freeze_time(later), pytest.raises(AccountError) as expired:
        complete(token)
    assert expired.value.status_code == 404
    assert password_of(user) == before


def test_three_wrong_answers_void_the_link_count_as_failures_and_email_the_owner():
    user = make_customer(username="mona")
    token = request_link("mona")
    mail.outbox.clear()
    for _ in range(3):
        with pytest.raises(AccountError):
            complete(token, answer="wrong school name")
    assert RecoveryToken.objects.get(user=user).voided_at is not None
    assert SignInEvent.objects.filter(user=user, outcome="recovery_answer_failure").count() == 3
    assert len(mail.outbox) == 1 and "failed" in mail.outbox[0].subject
    with pytest.raises(AccountError) as void:
        complete(token)
    assert void.value.code == AccountErrorCode.RECOVERY_LINK_INVALID


def test_a_reset_ends_api_tokens_and_voids_other_links():
    user = make_customer(username="mona")
    issued = api_token_issue(user=user)
    first, second = request_link("mona"), request_link("mona")
    complete(second)
    assert user_for_api_token(issued.raw) is None
    with pytest.raises(AccountError):
        complete(first, password="yet another long pass phrase here")


def test_a_password_change_voids_an_outstanding_link():
    from lumeire.accounts.services.profile import password_change

    user = make_customer(username="mona")
    token = request_link("mona")
    with freeze_time(timezone.now() + timedelta(seconds=5)):
        password_change(actor=user, current_password=PASSWORD, new_password=NEW_PASSWORD)
    with pytest.raises(AccountError) as refused:
        complete(token, password="yet another long pass phrase here")
    assert refused.value.status_code == 404


def test_unknown_logins_get_no_email_and_the_same_silence():
    make_customer(username="mona")
    assert request_link("nobody") is None
    assert request_link("mona") is not None


def test_requests_are_limited_per_login():
    make_customer(username="mona")
    sent = [request_link("mona", address=f"198.51.100.{i}") is not None for i in range(7)]
    assert sent == [True] * 5 + [False] * 2


def test_a_weak_new_password_is_refused_and_the_link_stays_usable():
    user = make_customer(username="mona")
    token = request_link("mona")
    with pytest.raises(AccountError) as weak:
        complete(token, password="short")
    assert "new_password" in weak.value.field_errors
    assert complete(token) == user
