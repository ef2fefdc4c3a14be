"""Usernames that pass for another, and names that hide or reorder text, are refused.

The attacks: usernames took confusable letters (Cyrillic "а" for Latin "a", mixed scripts), and
names took bidirectional overrides, isolates and other invisible characters. Each is refused with
a field error at sign-up and at change, on the web and the API; Arabic names still work.
"""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from lumeire.accounts.normalization import canonical_username
from lumeire.accounts.tests.factories import PASSWORD, make_customer
from lumeire.accounts.tests.pages import field_errors, sign_up_form, sign_up_json
from lumeire.accounts.validators import clean_person_name, validate_username

pytestmark = pytest.mark.django_db

CONFUSABLE_USERNAMES = {
    "cyrillic a": "p\u0430ypal",
    "all cyrillic": "\u0440\u0430\u0443\u0440\u0430l",
    "greek omicron": "g\u03bfogle",
    "accented latin": "jos\u00e9",
    "dotless i": "adm\u0131n",
    "latin and arabic": "ahmed_\u0627\u062d\u0645\u062f",
    "persian keheh": "\u06a9\u0631\u064a\u0645",
    "zero-width space": "admin\u200b1",
    "right-to-left override": "admin\u202egnp",
    "arabic tatweel": "\u0639\u0640\u0644\u064a",
}
GOOD_USERNAMES = {
    "latin": ("Ali.Hassan-2", "Ali.Hassan-2"),
    "arabic": ("\u0646\u0648\u0631\u0629", "\u0646\u0648\u0631\u0629"),
    "arabic-indic digits": ("\u0646\u0648\u0631\u0629_\u0661", "\u0646\u0648\u0631\u0629_1"),
    "full-width latin": ("\uff41\uff4c\uff49_7", "ali_7"),
}
HIDDEN_IN_NAMES = {
    "right-to-left override": "Aisha \u202eibraH-lA",
    "left-to-right embedding": "\u202aAisha Al-Harbi",
    "isolates": "\u2066Aisha\u2069 Al-Harbi",
    "right-to-left mark": "Aisha\u200f Al-Harbi",
    "left-to-right mark": "\u200eAisha Al-Harbi",
    "arabic letter mark": "\u0639\u0627\u0626\u0634\u0629\u061c",
    "zero-width space": "Ai\u200bsha Al-Harbi",
    "zero-width joiner": "Aisha\u200d Al-Harbi",
    "word joiner": "Aisha\u2060Al-Harbi",
    "soft hyphen": "Ai\u00adsha Al-Harbi",
    "byte order mark": "\ufeffAisha Al-Harbi",
    "control character": "Aisha\x07 Al-Harbi",
}
GOOD_NAMES = [
    "\u0639\u0627\u0626\u0634\u0629 \u0627\u0644\u062d\u0631\u0628\u064a",
    "\u0639\u0628\u062f \u0627\u0644\u0644\u0647 \u0628\u0646 \u0639\u0645\u0631",
    "\u0645\u064f\u062d\u064e\u0645\u064e\u0651\u062f \u0622\u0644-\u0633\u0639\u0648\u062f",
    "Mary-Jane O'Neil",
    "D\u2019Arcy St. John",
    "Jos\u00e9 M\u00fcller",
    "Nguy\u1ec5n V\u0103n An",
]


@pytest.mark.parametrize("typed", CONFUSABLE_USERNAMES.values(), ids=CONFUSABLE_USERNAMES.keys())
def test_confusable_and_invisible_usernames_are_refused(typed):
    with pytest.raises(ValidationError) as refused:
        validate_username(canonical_username(typed))
    assert refused.value.code in (
        "username_script",
        "username_characters",
        "username_mixed_scripts",
    )


@pytest.mark.parametrize(("typed", "stored"), GOOD_USERNAMES.values(), ids=GOOD_USERNAMES.keys())
def test_latin_or_arabic_usernames_are_kept_in_one_canonical_form(typed, stored):
    assert canonical_username(typed) == stored
    validate_username(stored)


@pytest.mark.parametrize("name", HIDDEN_IN_NAMES.values(), ids=HIDDEN_IN_NAMES.keys())
def test_names_with_invisible_or_direction_characters_are_refused(name):
    with pytest.raises(ValidationError) as refused:
        clean_person_name(name)
    assert refused.value.code == "name_invisible"


@pytest.mark.parametrize("name", GOOD_NAMES)
def test_arabic_and_latin_names_with_spaces_hyphens_and_apostrophes_are_accepted(name):
    assert clean_person_name(f"  {name}  ") == name


@pytest.mark.parametrize("name", ["Aisha 2", "<script>", "@aisha", "   -  "])
def test_digits_symbols_and_names_without_letters_are_refused(name):
    with pytest.raises(ValidationError):
        clean_person_name(name)


# --- Through every way in --------------------------------------------------------------------

NAME_MESSAGE = (
    "A name cannot contain invisible or text-direction characters. Type it again without pasting."
)
SCRIPT_MESSAGE = (
    "Use Latin letters (a-z) or Arabic letters in a username. Letters of other alphabets and "
    "accented letters are refused, because they can look like others."
)


def test_the_web_sign_up_form_refuses_them_on_their_fields(client):
    response = client.post(
        "/en/account/sign-up/",
        sign_up_form(username="p\u0430ypal", full_name="Aisha \u202eibraH-lA"),
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert field_errors(html, "username") == [SCRIPT_MESSAGE]
    assert field_errors(html, "full_name") == [NAME_MESSAGE]


def test_the_api_sign_up_refuses_them_on_their_fields():
    response = Client().post(
        "/api/v1/accounts/signup",
        data=json.dumps(
            sign_up_json(username="ahmed_\u0627\u062d\u0645\u062f", full_name="\u2066Aisha\u2069")
        ),
        content_type="application/json",
    )

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["username"] == ["Use either Latin or Arabic letters in a username, not both."]
    assert errors["full_name"] == [NAME_MESSAGE]


def test_name_and_username_changes_refuse_them_on_the_web():
    user = make_customer(username="maha", full_name="Maha Al-Shehri")
    browser = Client()
    browser.post("/en/account/sign-in/", {"login": "maha", "password": PASSWORD})

    name = browser.post(
        "/en/account/profile/",
        {"full_name": "Maha\u200f Al-Shehri", "date_of_birth": "1990-05-17"},
    )
    username = browser.post(
        "/en/account/username/", {"username": "m\u0430ha", "current_password": PASSWORD}
    )

    assert name.status_code == username.status_code == 400
    assert field_errors(name.content.decode(), "full_name") == [NAME_MESSAGE]
    assert field_errors(username.content.decode(), "username") == [SCRIPT_MESSAGE]
    user.refresh_from_db()
    assert (user.username, user.customer.full_name) == ("maha", "Maha Al-Shehri")


def test_a_name_change_refuses_them_on_the_api_and_takes_an_arabic_name():
    make_customer(username="maha")
    token = (
        Client()
        .post(
            "/api/v1/accounts/signin",
            data=json.dumps({"login": "maha", "password": PASSWORD}),
            content_type="application/json",
        )
        .json()["token"]
    )
    headers = {"Authorization": f"Bearer {token}"}

    refused = Client().patch(
        "/api/v1/accounts/me",
        data=json.dumps({"full_name": "Ma\u200bha"}),
        content_type="application/json",
        headers=headers,
    )
    arabic = Client().patch(
        "/api/v1/accounts/me",
        data=json.dumps({"full_name": "\u0645\u0647\u0627 \u0627\u0644\u0634\u0647\u0631\u064a"}),
        content_type="application/json",
        headers=headers,
    )

    assert refused.status_code == 400
    assert refused.json()["errors"] == {"full_name": [NAME_MESSAGE]}
    assert arabic.status_code == 200
    assert arabic.json()["full_name"] == "\u0645\u0647\u0627 \u0627\u0644\u0634\u0647\u0631\u064a"
