"""Helpers for account tests that go through the web pages and the JSON API by address only
(the accounts app imports no interface: the layers are kept in its tests too)."""

from __future__ import annotations

import dataclasses
import html
import json
import re

from django.test import Client

from lumeire.accounts.tests.factories import PASSWORD, sign_up_data

_ERROR_LIST = r'<ul[^>]*id="id_{field}_error"[^>]*>(.*?)</ul>'
_ITEM = re.compile(r"<li>(.*?)</li>", re.S)
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def sign_up_json(**overrides: object) -> dict[str, object]:
    """A valid API sign-up body; each call gets new personal values."""
    values = dataclasses.asdict(sign_up_data())
    values.pop("language")
    values["date_of_birth"] = values["date_of_birth"].isoformat()
    values.update(overrides)
    return values


def sign_up_form(**overrides: object) -> dict[str, object]:
    """A valid sign-up form as a browser posts it; each call gets new personal values."""
    values = sign_up_json()
    values.pop("accepted_policy_version")
    values.update(password_confirmation=values["password"], accept_policy="on", policy_version="1")
    values.update(overrides)
    if "password" in overrides and "password_confirmation" not in overrides:
        values["password_confirmation"] = overrides["password"]
    return values


def post_json(path: str, body: object, *, address: str = "127.0.0.1", token: str = "", **kw):
    """One JSON request to ``/api/v1<path>``, as a mobile app sends it."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    method = kw.pop("method", "post")
    return getattr(Client(), method)(
        f"/api/v1{path}",
        data=json.dumps(body),
        content_type="application/json",
        headers=headers,
        REMOTE_ADDR=address,
    )


def api_token(login: str, password: str = PASSWORD) -> str:
    response = post_json("/accounts/signin", {"login": login, "password": password})
    assert response.status_code == 200, response.content
    return response.json()["token"]


def browser(login: str, password: str = PASSWORD) -> Client:
    """A browser signed in through the real sign-in page."""
    client = Client()
    response = client.post("/en/account/sign-in/", {"login": login, "password": password})
    assert response.status_code == 302, response.status_code
    return client


def field_errors(page: str, field: str) -> list[str]:
    """The messages shown under one form field (Django's ``id_<field>_error`` list)."""
    found = re.search(_ERROR_LIST.format(field=re.escape(field)), page, re.S)
    if not found:
        return []
    return [html.unescape(item).strip() for item in _ITEM.findall(found[1])]


def without_csrf(page: str) -> str:
    """The page with its per-response CSRF token blanked, to compare two pages byte for byte."""
    return _CSRF.sub('name="csrfmiddlewaretoken" value=""', page)
