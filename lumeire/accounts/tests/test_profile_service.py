"""Profile changes: checked, confirmed where needed, notified, and all-or-nothing."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.core import mail

from lumeire.accounts.errors import AccountError, AccountErrorCode
from lumeire.accounts.models import User
from lumeire.accounts.services.profile import (
    account_language_change,
    customer_profile_update,
    email_change_confirm,
    email_change_request,
    password_change,
    recovery_question_change,
    username_change,
)
from lumeire.accounts.tests.factories import PASSWORD, make_customer
from lumeire.core.tokens import secret_hash
from lumeire.vault.keycache import data_key_cache

pytestmark = pytest.mark.django_db


def fresh(user: User) -> User:
    data_key_cache.clear()
    return User.objects.select_related("customer").get(pk=user.pk)


def test_name_and_birth_date_change_together_or_not_at_all():
    user = make_customer(full_name="Old Name")
    with pytest.raises(AccountError) as refused:
        customer_profile_update(actor=user, full_name="New Name", date_of_birth=date(2999, 1, 1))
    assert "date_of_birth" in refused.value.field_errors
    assert fresh(user).customer.full_name == "Old Name"
    customer_profile_update(actor=user, full_name="  New   Name ", date_of_birth=date(1985, 2, 3))
    again = fresh(user).customer
    assert (again.full_name, again.date_of_birth) == ("New Name", date(1985, 2, 3))


def test_password_change_needs_the_current_password_and_sends_a_notice_without_secrets():
    user = make_customer()
    new_password = "the sea was calm that evening in jeddah"
    with pytest.raises(AccountError) as wrong:
        password_change(actor=user, current_password="not it at all", new_password=new_password)
    assert wrong.value.code == AccountErrorCode.WRONG_PASSWORD
    mail.outbox.clear()
    password_change(actor=user, current_password=PASSWORD, new_password=new_password)
    assert fresh(user).check_password(new_password)
    assert len(mail.outbox) == 1
    assert new_password not in mail.outbox[0].body and PASSWORD not in mail.outbox[0].body


def test_email_changes_only_after_the_new_address_confirms():
    user = make_customer(email="old@example.com")
    mail.outbox.clear()
    email_change_request(actor=user, current_password=PASSWORD, new_email="new@example.com")
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == ["new@example.com", "old@example.com"]
    assert fresh(user).email == "old@example.com"
    confirmation = next(m for m in mail.outbox if m.to == ["new@example.com"])
    token = re.search(r"/email/confirm/([\w-]+)/", confirmation.body)[1]
    email_change_confirm(token_ref=secret_hash(token))
    assert fresh(user).email == "new@example.com"
    with pytest.raises(AccountError):
        email_change_confirm(token_ref=secret_hash(token))


def test_changing_to_a_taken_email_looks_the_same_and_changes_nothing():
    make_customer(email="taken@example.com")
    user = make_customer(email="mine@example.com")
    mail.outbox.clear()
    email_change_request(actor=user, current_password=PASSWORD, new_email="taken@example.com")
    assert sorted(m.to[0] for m in mail.outbox) == ["mine@example.com", "taken@example.com"]
    assert "/email/confirm/" not in "".join(m.body for m in mail.outbox)
    assert fresh(user).email == "mine@example.com"


@pytest.mark.password_hashing
def test_recovery_question_change_needs_the_password_and_rehashes_the_answer():
    user = make_customer()
    old_hash = user.customer.recovery_answer_hash
    with pytest.raises(AccountError):
        recovery_question_change(
            actor=user, current_password="wrong one", question="first_pet", answer="Bubbles"
        )
    recovery_question_change(
        actor=user, current_password=PASSWORD, question="first_pet", answer="Bubbles"
    )
    customer = fresh(user).customer
    assert customer.recovery_question == "first_pet"
    assert customer.recovery_answer_hash != old_hash
    assert customer.recovery_answer_hash.startswith("argon2$argon2id$")


def _username_index(username: str) -> str:
    return User._meta.get_field("username_index").index_of(username)


def test_the_username_changes_with_the_password_stays_unique_and_signs_in_under_the_new_name():
    make_customer(username="taken_name")
    user = make_customer(username="old_name")
    mail.outbox.clear()

    with pytest.raises(AccountError) as wrong:
        username_change(actor=user, current_password="not it at all", username="new_name")
    with pytest.raises(AccountError) as taken:
        username_change(actor=user, current_password=PASSWORD, username=" Taken_Name ")
    with pytest.raises(AccountError) as invalid:
        username_change(actor=user, current_password=PASSWORD, username="no spaces please")

    assert wrong.value.code == AccountErrorCode.WRONG_PASSWORD
    assert taken.value.field_errors == {"username": ["This username is taken. Choose another one."]}
    assert invalid.value.field_errors == {
        "username": ["Use only letters, digits, dots, hyphens and underscores in a username."]
    }
    assert fresh(user).username == "old_name" and mail.outbox == []

    username_change(actor=user, current_password=PASSWORD, username="  new_name ")

    assert fresh(user).username == "new_name"
    assert User.objects.get(username_index=_username_index("NEW_NAME")).pk == user.pk
    assert not User.objects.filter(username_index=_username_index("old_name")).exists()
    assert [m.subject for m in mail.outbox] == ["Your Lumeire username was changed"]
    assert "new_name" not in mail.outbox[0].body and "old_name" not in mail.outbox[0].body


def test_a_username_may_change_only_its_capitals():
    user = make_customer(username="maha")

    username_change(actor=user, current_password=PASSWORD, username="Maha")

    assert fresh(user).username == "Maha"


def test_the_language_of_emails_is_one_the_store_speaks():
    user = make_customer(language="en")
    with pytest.raises(AccountError) as refused:
        account_language_change(actor=user, language="fr")
    assert "language" in refused.value.field_errors
    assert fresh(user).language == "en"

    account_language_change(actor=user, language="ar")

    assert fresh(user).language == "ar"
    mail.outbox.clear()
    password_change(
        actor=user, current_password=PASSWORD, new_password="the sea was calm that evening"
    )
    assert any("\u0600" <= ch <= "\u06ff" for ch in mail.outbox[0].subject)
