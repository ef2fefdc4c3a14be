"""The language switch: a POST to Django's set_language that lands on the same page translated."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from lumeire.core.tests.markup import Element, parse


def _switch_form(client: Client, url: str, **headers: str) -> Element:
    forms = parse(client.get(url, headers=headers).content.decode()).find_all("form")
    return next(form for form in forms if form.attrs.get("class") == "language-switch")


def _fields(form: Element) -> dict[str, str]:
    return {field.attrs["name"]: field.attrs.get("value", "") for field in form.find_all("input")}


def _submit(client: Client, form: Element, **headers: str):
    return client.post(form.attrs["action"], _fields(form), headers=headers)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("page", "translated", "language"),
    [
        ("/en/", "/ar/", "ar"),
        ("/en/privacy/", "/ar/privacy/", "ar"),
        ("/ar/privacy/", "/en/privacy/", "en"),
    ],
)
def test_switch_sets_the_language_and_redirects_to_the_same_page_translated(
    page, translated, language
):
    client = Client(enforce_csrf_checks=True)
    form = _switch_form(client, page)

    response = _submit(client, form)

    assert form.attrs["action"] == reverse("set_language") == "/i18n/setlang/"
    assert (response.status_code, response["Location"]) == (302, translated)
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == language
    assert parse(client.get(translated).content.decode()).find_all("html")[0].attrs["lang"] == (
        language
    )


@pytest.mark.django_db
def test_switch_is_one_button_offering_the_other_language_in_its_own_name(client):
    english = _switch_form(client, "/en/")
    arabic = _switch_form(client, "/ar/")

    for form, code, name in ((english, "ar", "العربية"), (arabic, "en", "English")):
        assert form.find_all("select") == []
        buttons = form.find_all("button")
        assert [(b.text.strip(), b.attrs["lang"], b.attrs["type"]) for b in buttons] == [
            (name, code, "submit")
        ]
        assert _fields(form)["language"] == code


@pytest.mark.django_db
def test_switch_works_when_the_browser_prefers_the_language_being_left():
    # The browser asks for Arabic, yet the visitor reads /ar/ and switches to English.
    client = Client(enforce_csrf_checks=True, headers={"accept-language": "ar"})
    form = _switch_form(client, "/ar/privacy/")

    response = _submit(client, form)

    assert (response.status_code, response["Location"]) == (302, "/en/privacy/")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


@pytest.mark.django_db
def test_the_visitors_choice_outranks_the_browser_language(client):
    form = _switch_form(client, "/ar/", **{"accept-language": "ar"})
    _submit(client, form, **{"accept-language": "ar"})

    response = client.get("/", headers={"accept-language": "ar"})

    assert (response.status_code, response["Location"]) == (302, "/en/")


@pytest.mark.django_db
def test_switch_without_a_csrf_token_is_refused_and_changes_nothing():
    client = Client(enforce_csrf_checks=True)
    fields = _fields(_switch_form(client, "/en/"))
    del fields["csrfmiddlewaretoken"]

    response = client.post("/i18n/setlang/", fields)

    assert response.status_code == 403
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


@pytest.mark.django_db
def test_switch_on_a_missing_page_goes_to_the_same_address_in_the_other_language(client):
    form = _switch_form(client, "/en/no-such-page/")

    assert _fields(form)["next"] == "/ar/no-such-page/"


@pytest.mark.django_db
def test_switch_outside_a_language_prefix_goes_to_the_other_languages_home(client):
    form = _switch_form(client, "/no-such-page", **{"accept-language": "en"})

    assert _fields(form)["next"] == "/ar/"
