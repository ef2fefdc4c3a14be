"""Password recovery on the web: the emailed link AND the answer, never one alone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from freezegun import freeze_time

from lumeire.accounts.models import RecoveryToken, SignInEvent, User
from lumeire.accounts.services.profile import email_change_request
from lumeire.accounts.tests.factories import ANSWER, PASSWORD, make_customer
from lumeire.accounts.tests.web_sign_in import (
    CONFIRM_LINK,
    RECOVERY_LINK,
    field_errors,
    link_in_mail,
    sign_in,
    signed_in_client,
    without_csrf,
)

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a brand new passphrase for autumn"
SET_PASSWORD = "/en/account/recover/set-password/"


@pytest.fixture
def customer():
    return make_customer(username="Hind", email="hind@example.com")


def ask_for_link(client: Client, login: str = "hind") -> str:
    mail.outbox.clear()
    response = client.post("/en/account/forgot/", {"login": login})
    assert (response.status_code, response["Location"]) == (302, "/en/account/forgot/sent/")
    return link_in_mail(RECOVERY_LINK, to="hind@example.com")


def answer(client: Client, recovery_answer: str = ANSWER, password: str = NEW_PASSWORD):
    return client.post(
        SET_PASSWORD,
        {
            "recovery_answer": recovery_answer,
            "new_password": password,
            "new_password_confirmation": password,
        },
    )


def password_is(user: User, password: str) -> bool:
    return User.objects.get(pk=user.pk).check_password(password)


def test_a_known_and_an_unknown_login_get_byte_identical_answers(client, customer):
    mail.outbox.clear()
    known = client.post("/en/account/forgot/", {"login": "hind"})
    unknown = client.post("/en/account/forgot/", {"login": "nobody-here"})

    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert known.content == unknown.content
    assert [m.to for m in mail.outbox] == [["hind@example.com"]]
    sent = client.get(known["Location"])
    again = client.get(unknown["Location"])
    assert without_csrf(sent.content.decode()) == without_csrf(again.content.decode())
    assert "If an account matches what you typed" in sent.content.decode()


def test_the_link_swaps_its_secret_into_the_session_and_shows_the_question(client, customer):
    link = ask_for_link(client)
    secret = link.rstrip("/").rsplit("/", 1)[1]

    opened = client.get(link)

    assert (opened.status_code, opened["Location"]) == (302, SET_PASSWORD)
    assert opened["Referrer-Policy"] == "no-referrer"
    page = client.get(SET_PASSWORD)
    assert page.status_code == 200
    html = page.content.decode()
    assert "What was the name of your first school?" in html
    assert secret not in html, "the secret never reaches the page or its links"
    assert "no-store" in page["Cache-Control"]


def test_the_link_alone_does_not_reset_the_password(client, customer):
    client.get(ask_for_link(client))

    empty = answer(client, recovery_answer="")
    wrong = answer(client, recovery_answer="some other school")

    assert empty.status_code == wrong.status_code == 400
    assert field_errors(wrong.content.decode(), "recovery_answer") == [
        "That answer is not right. 2 tries left."
    ]
    assert password_is(customer, PASSWORD)


def test_the_answer_without_a_valid_link_is_a_404(client, customer):
    without_link = answer(client)
    made_up = client.get("/en/account/recover/not-a-real-secret-at-all/")

    assert without_link.status_code == made_up.status_code == 404
    assert "This recovery link is not valid any more." in made_up.content.decode()
    assert made_up["Referrer-Policy"] == "no-referrer"
    assert password_is(customer, PASSWORD)


def test_link_and_answer_reset_the_password_without_signing_in(client, customer):
    link = ask_for_link(client)
    client.get(link)

    done = answer(client, recovery_answer="al-noor school")  # normalised like the stored one

    assert (done.status_code, done["Location"]) == (302, "/en/account/sign-in/")
    assert password_is(customer, NEW_PASSWORD)
    assert "_auth_user_id" not in client.session
    assert "Your password was changed." in client.get(done["Location"]).content.decode()
    assert [m.subject for m in mail.outbox][-1] == "Your Lumeire password was changed"
    assert sign_in(Client(), "hind", NEW_PASSWORD).status_code == 302


def test_the_link_works_once(client, customer):
    link = ask_for_link(client)
    client.get(link)
    answer(client)

    again = Client()
    assert again.get(link).status_code == 404
    assert answer(again, password="yet another long passphrase").status_code == 404
    assert password_is(customer, NEW_PASSWORD)


def test_the_link_expires_after_fifteen_minutes(customer):
    with freeze_time(timezone.now()) as clock:
        client = Client()
        link = ask_for_link(client)
        clock.tick(timedelta(minutes=14, seconds=59))
        assert client.get(link).status_code == 302
        clock.tick(timedelta(seconds=2))
        assert client.get(link).status_code == 404
        assert answer(client).status_code == 404
    assert password_is(customer, PASSWORD)


def test_three_wrong_answers_void_the_link_count_as_failures_and_email_the_owner(client, customer):
    link = ask_for_link(client)
    client.get(link)

    first = answer(client, recovery_answer="wrong school one")
    second = answer(client, recovery_answer="wrong school two")
    third = answer(client, recovery_answer="wrong school three")

    assert (first.status_code, second.status_code, third.status_code) == (400, 400, 404)
    assert "1 try left" in second.content.decode()
    assert "Too many wrong answers." in third.content.decode()
    assert RecoveryToken.objects.get().voided_at is not None
    assert Client().get(link).status_code == 404
    assert "failed" in mail.outbox[-1].subject
    assert mail.outbox[-1].to == ["hind@example.com"]
    assert SignInEvent.objects.filter(outcome="recovery_answer_failure").count() == 3
    assert password_is(customer, PASSWORD)


def test_a_reset_signs_out_every_other_session_and_signs_in_no_one(customer):
    elsewhere = signed_in_client("hind")
    assert elsewhere.get("/en/account/").status_code == 200

    resetter = Client()
    resetter.get(ask_for_link(resetter))
    assert answer(resetter).status_code == 302

    assert elsewhere.get("/en/account/")["Location"].startswith("/en/account/sign-in/")
    assert resetter.get("/en/account/")["Location"].startswith("/en/account/sign-in/")


def test_a_weak_new_password_is_refused_and_the_link_still_works(client, customer):
    client.get(ask_for_link(client))

    weak = answer(client, password="short")

    assert weak.status_code == 400
    assert field_errors(weak.content.decode(), "new_password") == [
        "This password is too short. Use at least 15 characters."
    ]
    assert answer(client).status_code == 302


def test_addresses_with_a_secret_send_no_referrer_and_the_forms_after_them_can_post(
    client, customer
):
    link = ask_for_link(client)
    dead = client.get("/en/account/recover/dead-secret-value/")
    opened = client.get(link)
    form_page = client.get(opened["Location"])

    assert opened["Referrer-Policy"] == dead["Referrer-Policy"] == "no-referrer"
    assert "dead-secret-value" not in dead.content.decode().split("</header>", 1)[0]
    # Under no-referrer a browser posts forms with "Origin: null", which the CSRF check
    # refuses; the form pages carry no secret, so they keep the site's same-origin policy.
    assert form_page["Referrer-Policy"] == "same-origin"
    assert client.get("/en/account/forgot/")["Referrer-Policy"] == "same-origin"


def test_a_new_address_is_confirmed_with_a_button_after_the_link(client):
    user = make_customer(email="before@example.com")
    email_change_request(actor=user, current_password=PASSWORD, new_email="newcomer@example.com")
    link = link_in_mail(CONFIRM_LINK, to="newcomer@example.com")

    opened = client.get(link)
    assert (opened.status_code, opened["Location"]) == (302, "/en/account/email/confirm/")
    assert opened["Referrer-Policy"] == "no-referrer"
    page = client.get(opened["Location"])
    assert page.status_code == 200
    assert User.objects.get(pk=user.pk).email == "before@example.com", (
        "opening the link changes nothing"
    )

    confirmed = client.post("/en/account/email/confirm/")

    assert confirmed.status_code == 200
    assert "Email address confirmed" in confirmed.content.decode()
    assert User.objects.get(pk=user.pk).email == "newcomer@example.com"
    assert client.post("/en/account/email/confirm/").status_code == 404


def test_a_made_up_confirmation_link_is_a_clear_404(client):
    client.get("/en/account/email/confirm/made-up-secret/")

    refused = client.post("/en/account/email/confirm/")

    assert refused.status_code == 404
    assert "This confirmation link is not valid any more." in refused.content.decode()
