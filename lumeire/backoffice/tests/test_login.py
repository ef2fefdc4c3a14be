"""Signing in at /backoffice/login/: the store's own sign-in check, staff accounts only.

Two-factor sign-in, enrolment, idle expiry and the audit records: test_staff_sign_in.py.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client

from lumeire.accounts.models import SignInEvent, SignInOutcome
from lumeire.accounts.tests.factories import PASSWORD, make_customer
from lumeire.backoffice.forms import SIGN_IN_CHANNEL
from lumeire.backoffice.tests.factories import STAFF_PASSWORD, enrol_two_factor, next_code

pytestmark = pytest.mark.django_db

LOGIN = "/backoffice/login/"
REFUSED = (
    b"Enter the right username or email and password of a staff account. "
    b"Customer accounts cannot sign in here."
)


def _sign_in(client: Client, login: str, password: str, code: str = ""):
    return client.post(
        LOGIN, {"login": login, "password": password, "code": code, "next": "/backoffice/"}
    )


def test_staff_member_signs_in_with_username_and_code(catalogue_manager):
    enrol_two_factor(catalogue_manager)
    client = Client()
    response = _sign_in(
        client, catalogue_manager.username, STAFF_PASSWORD, next_code(catalogue_manager)
    )
    assert response.status_code == 302
    assert response["Location"] == "/backoffice/"
    assert client.get("/backoffice/catalog/product/").status_code == 200
    event = SignInEvent.objects.get(user=catalogue_manager)
    assert (event.outcome, event.channel) == (SignInOutcome.SUCCESS, SIGN_IN_CHANNEL)


def test_staff_member_signs_in_with_email_in_another_case(catalogue_manager):
    enrol_two_factor(catalogue_manager)
    client = Client()
    code = next_code(catalogue_manager)
    response = _sign_in(client, catalogue_manager.email.upper(), STAFF_PASSWORD, code)
    assert response.status_code == 302
    assert client.get("/backoffice/").status_code == 200


def test_customer_with_the_right_password_is_refused_like_a_stranger():
    customer = make_customer()
    client = Client()
    response = _sign_in(client, customer.username, PASSWORD)
    assert response.status_code == 400
    assert REFUSED in response.content
    assert client.get("/backoffice/").status_code == 302
    assert "_auth_user_id" not in client.session

    stranger = _sign_in(Client(), "nobody-at-all", PASSWORD)
    assert stranger.status_code == 400
    assert REFUSED in stranger.content


def test_wrong_password_is_refused_and_counted(catalogue_manager):
    client = Client()
    response = _sign_in(client, catalogue_manager.username, "not the password at all")
    assert response.status_code == 400
    assert REFUSED in response.content
    assert (
        SignInEvent.objects.filter(outcome=SignInOutcome.FAILURE, channel=SIGN_IN_CHANNEL).count()
        == 1
    )
    assert client.get("/backoffice/").status_code == 302


def test_repeated_failures_lock_the_login_out_even_with_the_right_password(
    settings, catalogue_manager
):
    client = Client()
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, catalogue_manager.username, "not the password at all")
    response = _sign_in(client, catalogue_manager.username, STAFF_PASSWORD)
    assert response.status_code == 429
    assert b"Too many failed sign-ins. Try again in 15 minutes." in response.content
    assert client.get("/backoffice/").status_code == 302


def test_sign_in_page_is_in_arabic_right_to_left_for_an_arabic_reader():
    client = Client()
    client.cookies["lumeire_language"] = "ar"
    response = client.get(LOGIN)
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'<html lang="ar" dir="rtl">', html)
    assert "لوحة إدارة لوميير" in html
    assert "admin/css/rtl.css" in html
    assert "backoffice/backoffice.css" in html
