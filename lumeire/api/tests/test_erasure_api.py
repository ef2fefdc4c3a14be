"""POST /api/v1/privacy/erasure: the password, then a link by email; nothing deleted yet."""

from __future__ import annotations

import pytest
from django.core import mail

from lumeire.accounts.tests.factories import PASSWORD, make_customer
from lumeire.api.tests.helpers import send, sign_in
from lumeire.privacy.models import ErasureRequest, ErasureStatus

pytestmark = pytest.mark.django_db


def test_the_api_asks_the_password_and_sends_the_link():
    customer = make_customer(username="api.user")
    token = sign_in("api.user", PASSWORD)
    mail.outbox.clear()
    wrong = send("POST", "/privacy/erasure", {"password": "nope nope nope"}, token=token)
    assert wrong.status_code == 400
    assert wrong.json()["code"] == "wrong_password"
    assert not ErasureRequest.objects.exists() and mail.outbox == []
    extra = send("POST", "/privacy/erasure", {"password": PASSWORD, "now": True}, token=token)
    assert extra.status_code in (400, 422) and not ErasureRequest.objects.exists()
    accepted = send("POST", "/privacy/erasure", {"password": PASSWORD}, token=token)
    assert accepted.status_code == 202
    assert accepted.json()["status"] == "awaiting_confirmation"
    assert ErasureRequest.objects.get(user=customer).status == ErasureStatus.AWAITING_CONFIRMATION
    assert len(mail.outbox) == 1
    assert send("POST", "/privacy/erasure", {"password": PASSWORD}).status_code == 401
