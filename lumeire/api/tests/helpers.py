"""Calling /api/v1/ through Django's full middleware stack, as a mobile app would."""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Any

from django.core import mail
from django.test import Client

from lumeire.accounts.tests.factories import sign_up_data

API = "/api/v1"
_RECOVERY_LINK = re.compile(r"/account/recover/([A-Za-z0-9_-]+)/")


def send(
    method: str,
    path: str,
    body: Any = None,
    *,
    token: str | None = None,
    language: str | None = None,
    address: str = "127.0.0.1",
    client: Client | None = None,
    raw: str | bytes | None = None,
):
    """One request to ``/api/v1<path>``; ``raw`` sends a body as it is (malformed JSON)."""
    headers = {}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    if language is not None:
        headers["Accept-Language"] = language
    data = raw if raw is not None else (None if body is None else json.dumps(body))
    caller = getattr(client or Client(), method.lower())
    kwargs: dict[str, Any] = {"headers": headers, "REMOTE_ADDR": address}
    if data is not None:
        kwargs.update(data=data, content_type="application/json")
    return caller(f"{API}{path}", **kwargs)


def sign_up_body(**overrides: object) -> dict[str, object]:
    """A valid sign-up body as JSON sends it; each call gets new personal values."""
    values = dataclasses.asdict(sign_up_data())
    values.pop("language")
    values["date_of_birth"] = values["date_of_birth"].isoformat()
    values.update(overrides)
    return values


def sign_in(login: str, password: str, **kwargs: Any) -> str:
    """Sign in through the API and return the bearer token (fails the test otherwise)."""
    response = send("POST", "/accounts/signin", {"login": login, "password": password}, **kwargs)
    assert response.status_code == 200, response.content
    return response.json()["token"]


def recovery_token_from_outbox() -> str:
    """The raw token of the newest recovery link emailed."""
    for message in reversed(mail.outbox):
        found = _RECOVERY_LINK.search(message.body)
        if found:
            return found.group(1)
    raise AssertionError("no recovery link was emailed")
