"""The sign-up page: each rule answered on its field, in the page's language, and no enumeration."""

from __future__ import annotations

import pytest
from django.core import mail
from freezegun import freeze_time

from lumeire.accounts.models import Customer, User
from lumeire.accounts.tests.factories import make_customer
from lumeire.accounts.tests.web_sign_in import (
    SIGN_UP_LINK,
    field_errors,
    link_in_mail,
    sign_up_form,
    without_csrf,
)
from lumeire.core.tests.markup import parse
from lumeire.privacy.models import PolicyAcceptance

pytestmark = pytest.mark.django_db

ARABIC = range(0x0600, 0x0700)


def is_arabic(text: str) -> bool:
    return any(ord(ch) in ARABIC for ch in text)


def post(client, language="en", **overrides):
    return client.post(f"/{language}/account/sign-up/", sign_up_form(**overrides))


def test_a_valid_sign_up_asks_to_check_email_and_the_link_opens_the_account_in_its_language(
    client,
):
    response = post(client, language="ar", username="نورة_١", email="noura@example.com")

    assert (response.status_code, response["Location"]) == (302, "/ar/account/sign-up/check-email/")
    assert User.objects.count() == 0, "no account before the emailed link is opened"
    link = link_in_mail(SIGN_UP_LINK, to="noura@example.com")
    assert link.startswith("/ar/")
    swapped = client.get(link)
    assert (swapped.status_code, swapped["Location"]) == (302, "/ar/account/sign-up/open/")
    assert swapped["Referrer-Policy"] == "no-referrer"
    page = client.get("/ar/account/sign-up/open/")
    assert page.status_code == 200 and "نورة_1" in page.content.decode()
    opened = client.post("/ar/account/sign-up/open/", {"username": "نورة_١"})
    assert opened.status_code == 200
    user = User.objects.get()
    assert user.get_username() == "نورة_1"
    assert user.language == "ar"
    assert user.customer.full_name == "Noura Al-Qahtani"
    assert PolicyAcceptance.objects.get(user=user).version.version == 1
    assert [m.to for m in mail.outbox] == [["noura@example.com"]]
    assert is_arabic(mail.outbox[0].subject)
    assert "_auth_user_id" not in client.session, "sign-up never signs in"


@pytest.mark.parametrize(
    ("overrides", "field", "english", "arabic"),
    [
        (
            {"identity_number": "12345"},
            "identity_number",
            "A national ID or residence number (iqama) has exactly 10 digits.",
            "يتكوّن رقم الهوية الوطنية أو رقم الإقامة من عشرة أرقام بالضبط.",
        ),
        (
            {"identity_number": "3000000001"},
            "identity_number",
            "A national ID starts with 1 and a residence number starts with 2.",
            None,
        ),
        (
            {"password": "short words", "password_confirmation": "short words"},
            "password",
            "This password is too short. Use at least 15 characters.",
            None,
        ),
        (
            {"password": "1q2w3e4r5t6y7u8i9o0p", "password_confirmation": "1q2w3e4r5t6y7u8i9o0p"},
            "password",
            "This password is on a list of commonly used passwords. Choose another.",
            None,
        ),
        (
            {"password": "x" * 129, "password_confirmation": "x" * 129},
            "password",
            "A password can have at most 128 characters.",
            None,
        ),
        ({"username": "ab"}, "username", "A username has 3 to 30 characters.", None),
        ({"email": "not-an-email"}, "email", "Enter a valid email address.", None),
        ({"full_name": "  "}, "full_name", "Enter your full name.", None),
        ({"date_of_birth": ""}, "date_of_birth", "Enter your date of birth.", None),
        (
            {"date_of_birth": "1899-12-31"},
            "date_of_birth",
            "Enter a date of birth after 1900.",
            None,
        ),
        (
            {"recovery_question": ""},
            "recovery_question",
            "Choose one of the recovery questions.",
            None,
        ),
        (
            {"recovery_answer": " a "},
            "recovery_answer",
            "The answer needs at least 3 characters.",
            None,
        ),
        (
            {"accept_policy": ""},
            "accept_policy",
            "Read and accept the current privacy policy to open an account.",
            None,
        ),
        (
            {"policy_version": "99"},
            "accept_policy",
            "Read and accept the current privacy policy to open an account.",
            None,
        ),
    ],
)
def test_each_rule_is_answered_on_its_field_in_both_languages_and_nothing_is_saved(
    client, overrides, field, english, arabic
):
    english_page = post(client, "en", **overrides)
    arabic_page = post(client, "ar", **overrides)

    assert english_page.status_code == arabic_page.status_code == 400
    assert field_errors(english_page.content.decode(), field) == [english]
    arabic_messages = field_errors(arabic_page.content.decode(), field)
    assert len(arabic_messages) == 1
    assert is_arabic(arabic_messages[0]), arabic_messages
    if arabic:
        assert arabic_messages == [arabic]
    assert User.objects.count() == 0
    assert Customer.objects.count() == 0
    assert mail.outbox == []


@freeze_time("2026-11-25 12:00:00")
@pytest.mark.parametrize(
    ("born", "message"),
    [
        ("2026-11-26", "A date of birth cannot be in the future."),
        ("2008-11-26", "You must be at least 18 years old to open an account."),
    ],
)
def test_dates_of_birth_in_the_future_or_under_age_are_refused(client, born, message):
    response = post(client, date_of_birth=born)

    assert field_errors(response.content.decode(), "date_of_birth") == [message]
    assert User.objects.count() == 0


def test_the_form_itself_refuses_a_different_confirmation_and_a_malformed_date(client):
    response = post(
        client, password_confirmation="a different long password", date_of_birth="14/03/92"
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert field_errors(html, "password_confirmation") == ["The two passwords are not the same."]
    assert field_errors(html, "date_of_birth") == ["Enter a valid date."]
    assert User.objects.count() == 0


@pytest.mark.parametrize(
    ("language", "note"),
    [
        ("en", "For your safety, please type your password again."),
        ("ar", "حفاظًا على أمانك، يُرجى كتابة كلمة المرور مرة أخرى."),
    ],
)
def test_after_an_error_the_emptied_password_fields_say_why(client, language, note):
    response = post(client, language, date_of_birth="14/03/92")

    document = parse(response.content.decode())
    assert response.status_code == 400
    (fieldset,) = [
        f
        for f in document.find_all("fieldset")
        if any(i.attrs.get("name") == "password" for i in f.find_all("input"))
    ]
    notes = [
        p.text.strip()
        for p in fieldset.find_all("p")
        if "password-retype" in p.attrs.get("class", "")
    ]
    assert notes == [note]
    passwords = [i for i in fieldset.find_all("input") if i.attrs.get("type") == "password"]
    assert len(passwords) == 2
    assert all(not i.attrs.get("value") for i in passwords)  # never sent back to the page


def test_a_fresh_sign_up_form_has_no_retype_note(client):
    html = client.get("/en/account/sign-up/").content.decode()

    assert "password-retype" not in html


def test_a_taken_username_is_said_only_on_the_links_page_and_can_be_replaced_there(client):
    make_customer(username="Noura")

    response = post(client, username="NOURA", email="second@example.com")

    assert (response.status_code, response["Location"]) == (302, "/en/account/sign-up/check-email/")
    client.get(link_in_mail(SIGN_UP_LINK, to="second@example.com"))
    taken = client.post("/en/account/sign-up/open/", {"username": "NOURA"})
    assert taken.status_code == 400
    assert field_errors(taken.content.decode(), "username") == [
        "This username is taken. Choose another one."
    ]
    opened = client.post("/en/account/sign-up/open/", {"username": "Noura_2"})
    assert opened.status_code == 200
    assert User.objects.filter(
        username_index=User._meta.get_field("username_index").index_of("noura_2")
    ).exists()


def test_a_taken_email_and_a_new_one_get_the_same_answer_and_the_same_page(client):
    make_customer(email="owner@example.com")
    mail.outbox.clear()

    taken = post(client, serial="1", email="OWNER@example.com")
    fresh = post(client, serial="2", email="someone.new@example.com")

    assert (taken.status_code, taken["Location"]) == (fresh.status_code, fresh["Location"])
    assert taken.content == fresh.content
    after_taken = client.get(taken["Location"])
    after_fresh = client.get(fresh["Location"])
    assert after_taken.status_code == after_fresh.status_code == 200
    assert without_csrf(after_taken.content.decode()) == without_csrf(after_fresh.content.decode())
    assert "Check your email" in after_fresh.content.decode()
    assert User.objects.count() == 1
    assert sorted(m.to[0] for m in mail.outbox) == ["owner@example.com", "someone.new@example.com"]


def test_a_taken_identity_number_also_looks_like_success(client):
    owner = make_customer()
    response = post(client, identity_number=owner.customer.identity_number)

    assert response.status_code == 302
    assert response["Location"] == "/en/account/sign-up/check-email/"
    assert User.objects.count() == 1


def test_the_form_shows_the_rules_advice_and_the_policy_version_it_records(client):
    html = client.get("/en/account/sign-up/").content.decode()
    document = parse(html)

    assert "Keep the answer to your recovery question to yourself" in html
    assert "At least 15 characters" in html
    policy_links = [a.attrs["href"] for a in document.find_all("a") if "privacy" in a.attrs["href"]]
    assert "/en/privacy/v1/" in policy_links
    checkbox = next(i for i in document.find_all("input") if i.attrs.get("name") == "accept_policy")
    assert checkbox.attrs["type"] == "checkbox"
    assert "checked" not in checkbox.attrs
    version = next(i for i in document.find_all("input") if i.attrs.get("name") == "policy_version")
    assert version.attrs["value"] == "1"
    questions = next(
        s for s in document.find_all("select") if s.attrs["name"] == "recovery_question"
    )
    assert len(questions.find_all("option")) >= 9  # a prompt and at least 8 questions


def test_the_arabic_form_lists_the_questions_in_arabic(client):
    document = parse(client.get("/ar/account/sign-up/").content.decode())

    select = next(s for s in document.find_all("select") if s.attrs["name"] == "recovery_question")
    labels = [option.text.strip() for option in select.find_all("option")]
    assert all(is_arabic(label) for label in labels), labels


def test_sign_up_without_a_csrf_token_is_refused(client):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/en/account/sign-up/", sign_up_form())

    assert response.status_code == 403
    assert User.objects.count() == 0
