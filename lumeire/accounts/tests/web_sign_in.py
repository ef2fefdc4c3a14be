"""Helpers for the account pages' tests: sign in through the real form, read links from mail."""

from __future__ import annotations

import re

from django.conf import settings
from django.core import mail
from django.test import Client

from lumeire.accounts.tests.factories import PASSWORD, identity_number
from lumeire.core.tests.markup import Element, parse

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
RECOVERY_LINK = re.compile(r"https?://[^/\s]+(/(?:en|ar)/account/recover/[\w-]+/)")
CONFIRM_LINK = re.compile(r"https?://[^/\s]+(/(?:en|ar)/account/email/confirm/[\w-]+/)")
SIGN_UP_LINK = re.compile(r"https?://[^/\s]+(/(?:en|ar)/account/sign-up/open/[\w-]+/)")
IDENTITY_LINK = re.compile(r"https?://[^/\s]+(/(?:en|ar)/account/identity-number/confirm/[\w-]+/)")


def sign_in(
    client: Client, login: str, password: str = PASSWORD, language: str = "en", **extra: str
):
    """POST the sign-in form as a browser would."""
    return client.post(
        f"/{language}/account/sign-in/", {"login": login, "password": password, **extra}
    )


def signed_in_client(login: str, password: str = PASSWORD, **extra: str) -> Client:
    client = Client()
    response = sign_in(client, login, password, **extra)
    assert response.status_code == 302, response.content.decode()[:2000]
    return client


def session_cookie(client: Client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def without_csrf(html: str) -> str:
    """The page with its per-response CSRF token blanked, to compare two pages byte for byte."""
    return CSRF_INPUT.sub('name="csrfmiddlewaretoken" value=""', html)


def link_in_mail(pattern: re.Pattern[str], *, to: str) -> str:
    """The path of the newest link matching ``pattern`` in a message sent to ``to``."""
    for message in reversed(mail.outbox):
        if to in message.to and (match := pattern.search(message.body)):
            return match[1]
    raise AssertionError(f"no matching link was mailed to {to}")


def field_errors(html: str, field: str) -> list[str]:
    """The messages shown under one form field (Django's ``id_<field>_error`` list)."""
    document = parse(html)
    for element in document.find_all("ul"):
        if element.attrs.get("id") == f"id_{field}_error":
            return [item.text.strip() for item in element.find_all("li")]
    return []


def forms_of(html: str) -> list[Element]:
    return parse(html).find_all("form")


def sign_up_form(**overrides: str) -> dict[str, str]:
    """A complete, valid sign-up form as the browser posts it."""
    serial = overrides.pop("serial", "1")
    values = {
        "username": f"web_customer{serial}",
        "email": f"web{serial}@example.com",
        "password": PASSWORD,
        "password_confirmation": PASSWORD,
        "full_name": "Noura Al-Qahtani",
        "date_of_birth": "1992-03-14",
        "identity_number": identity_number(700 + int(serial)),
        "recovery_question": "first_pet",
        "recovery_answer": "Zaytouna the cat",
        "accept_policy": "on",
        "policy_version": "1",
    }
    values.update(overrides)
    return values
