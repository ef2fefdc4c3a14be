"""Signing out ends every web session and every API token; sessions never hold an emailed token.

The attacks: API tokens survived a web sign-out, and the session table kept the recovery and
email-confirmation tokens in clear once their links were opened.
"""

from __future__ import annotations

import json
import re
from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.core import mail
from django.test import Client

from lumeire.accounts.models import ApiToken, User
from lumeire.accounts.selectors import user_for_api_token
from lumeire.accounts.services import end_every_sign_in
from lumeire.accounts.services.identity_number import identity_number_change
from lumeire.accounts.services.profile import email_change_request
from lumeire.accounts.services.signin import api_token_issue
from lumeire.accounts.tests.factories import (
    PASSWORD,
    identity_number,
    make_customer,
    sign_up_and_get_link,
    sign_up_data,
)
from lumeire.core.tokens import secret_hash

pytestmark = pytest.mark.django_db


def browser_of(login: str) -> Client:
    client = Client()
    response = client.post("/en/account/sign-in/", {"login": login, "password": PASSWORD})
    assert response.status_code == 302
    return client


def signed_in(client: Client) -> bool:
    return client.get("/en/account/").status_code == 200


def api_me(token: str) -> int:
    return Client().get("/api/v1/accounts/me", headers={"Authorization": f"Bearer {token}"})


def test_a_web_sign_out_ends_every_api_token_and_every_other_session_of_the_account():
    user = make_customer(username="hala")
    bystander = make_customer(username="other_one")
    laptop, phone_browser = browser_of("hala"), browser_of("hala")
    app_token = api_token_issue(user=user).raw
    their_browser, their_token = browser_of("other_one"), api_token_issue(user=bystander).raw
    assert signed_in(laptop) and signed_in(phone_browser)
    assert api_me(app_token).status_code == 200

    response = laptop.post("/en/account/sign-out/")

    assert (response.status_code, response["Location"]) == (302, "/en/")
    assert not signed_in(laptop)
    assert not signed_in(phone_browser), "the other browser's session ended too"
    assert api_me(app_token).status_code == 401, "API tokens end with a web sign-out"
    assert user_for_api_token(app_token) is None
    assert not ApiToken.objects.filter(user=user, revoked_at__isnull=True).exists()
    # Another customer is untouched.
    assert signed_in(their_browser) and api_me(their_token).status_code == 200
    # The account still signs in afresh.
    assert signed_in(browser_of("hala"))


def test_the_sign_out_says_it_ended_every_session_and_the_account_page_says_so_first():
    make_customer(username="hala")
    browser = browser_of("hala")

    page = browser.get("/en/account/").content.decode()
    signed_out = browser.post("/en/account/sign-out/", follow=True).content.decode()

    assert "every browser session of your account and every app token" in page
    assert "You are signed out on every device and app." in signed_out


def test_end_every_sign_in_ends_sessions_and_tokens_of_that_account_only():
    user = make_customer(username="hala")
    other = make_customer(username="other_one")
    browser, their_browser = browser_of("hala"), browser_of("other_one")
    tokens = [api_token_issue(user=user).raw for _ in range(2)]
    their_token = api_token_issue(user=other).raw

    assert end_every_sign_in(user) == 2

    assert not signed_in(browser)
    assert all(api_me(token).status_code == 401 for token in tokens)
    assert signed_in(their_browser) and api_me(their_token).status_code == 200
    assert User.objects.get(pk=user.pk).sign_in_generation == 1


def test_a_replayed_session_cookie_of_another_device_is_refused_after_sign_out():
    make_customer(username="hala")
    stolen = browser_of("hala")
    cookie = stolen.cookies[settings.SESSION_COOKIE_NAME].value
    browser_of("hala").post("/en/account/sign-out/")

    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = cookie

    assert replay.get("/en/account/")["Location"].startswith("/en/account/sign-in/")


# --- The session keeps a reference to an emailed token, never the token -------------------


def _session_values(client: Client) -> str:
    """Everything the server stores for this browser's session, as the store holds it."""
    engine = import_module(settings.SESSION_ENGINE)
    store: SessionBase = engine.SessionStore(
        session_key=client.cookies[settings.SESSION_COOKIE_NAME].value
    )
    return json.dumps(store.load()) + str(store.encode(store.load()))


def _token(pattern: str) -> str:
    for message in reversed(mail.outbox):
        if match := re.search(pattern, message.body):
            return match[1]
    raise AssertionError(f"no link matching {pattern}")


def _assert_kept_as_reference(client: Client, link: str, token: str) -> None:
    opened = client.get(link)
    assert opened.status_code == 302, link
    stored = _session_values(client)
    assert token not in stored, "the session holds the token itself"
    assert secret_hash(token) in stored


def test_an_opened_recovery_link_leaves_only_its_hash_in_the_session():
    make_customer(username="hala", email="hala@example.com")
    client = Client()
    client.post("/en/account/forgot/", {"login": "hala"})
    token = _token(r"/account/recover/([\w-]+)/")

    _assert_kept_as_reference(client, f"/en/account/recover/{token}/", token)
    assert client.get("/en/account/recover/set-password/").status_code == 200


def test_an_opened_email_confirmation_link_leaves_only_its_hash_in_the_session():
    user = make_customer(username="hala")
    email_change_request(actor=user, current_password=PASSWORD, new_email="hala.new@example.com")
    token = _token(r"/account/email/confirm/([\w-]+)/")
    client = Client()

    _assert_kept_as_reference(client, f"/en/account/email/confirm/{token}/", token)
    assert client.post("/en/account/email/confirm/").status_code == 200
    assert User.objects.get(pk=user.pk).email == "hala.new@example.com"


def test_an_opened_sign_up_link_leaves_only_its_hash_in_the_session():
    token = sign_up_and_get_link(sign_up_data(username="new_hala"))
    client = Client()

    _assert_kept_as_reference(client, f"/en/account/sign-up/open/{token}/", token)
    assert client.post("/en/account/sign-up/open/", {"username": "new_hala"}).status_code == 200
    assert User.objects.count() == 1


def test_an_opened_identity_number_link_leaves_only_its_hash_in_the_session():
    user = make_customer(username="hala")
    new_number = identity_number(8181)
    identity_number_change(actor=user, current_password=PASSWORD, identity_number=new_number)
    token = _token(r"/account/identity-number/confirm/([\w-]+)/")
    client = Client()

    _assert_kept_as_reference(client, f"/en/account/identity-number/confirm/{token}/", token)
    assert client.post("/en/account/identity-number/confirm/").status_code == 200
    assert User.objects.get(pk=user.pk).customer.identity_number == new_number
