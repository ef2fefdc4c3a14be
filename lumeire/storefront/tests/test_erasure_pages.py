"""Delete my account in the storefront: the password, the emailed link, the button that
schedules the erasure and signs the customer out."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from lumeire.accounts.models import User
from lumeire.accounts.tests.factories import PASSWORD, make_customer
from lumeire.accounts.tests.web_sign_in import signed_in_client
from lumeire.privacy.models import ErasureRequest, ErasureStatus

pytestmark = pytest.mark.django_db

LINK = re.compile(r"/account/delete/confirm/([A-Za-z0-9_-]+)/")


def test_the_pages_ask_the_password_then_the_link_schedules_and_signs_out():
    customer = make_customer(username="pages.user", language="ar")
    browser = signed_in_client("pages.user")
    assert 'href="/en/account/delete/"' in browser.get("/en/account/").content.decode()
    arabic = browser.get("/ar/account/delete/").content.decode()
    assert "حذف حسابي" in arabic and 'dir="rtl"' in arabic
    mail.outbox.clear()
    wrong = browser.post("/en/account/delete/", {"password": "not it at all"})
    assert wrong.status_code == 400
    assert mail.outbox == [] and not ErasureRequest.objects.exists()
    sent = browser.post("/en/account/delete/", {"password": PASSWORD})
    assert sent.status_code == 200
    assert ErasureRequest.objects.get().status == ErasureStatus.AWAITING_CONFIRMATION
    # The email is in the customer's language and links to their language's page.
    assert "/ar/account/delete/confirm/" in mail.outbox[-1].body
    path = LINK.search(mail.outbox[-1].body).group(0).replace("/account", "/en/account", 1)
    opened = browser.get(path)
    assert opened.status_code == 302 and opened["Location"].endswith("/account/delete/confirm/")
    # The session keeps the secret's hash, never the secret a stolen session table would hand over.
    secret = LINK.search(mail.outbox[-1].body).group(1)
    assert secret not in repr(dict(browser.session.items()))
    assert ErasureRequest.objects.get().status == ErasureStatus.AWAITING_CONFIRMATION
    assert browser.get("/en/account/delete/confirm/").status_code == 200
    done = browser.post("/en/account/delete/confirm/")
    assert done.status_code == 200
    assert ErasureRequest.objects.get().status == ErasureStatus.SCHEDULED
    assert browser.get("/en/account/").status_code == 302  # signed out
    again = browser.post("/en/account/delete/confirm/")
    assert again.status_code == 404
    assert User.objects.get(pk=customer.pk).is_active
