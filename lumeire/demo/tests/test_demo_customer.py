"""The demo customer: opened through sign-up, confirmed, able to sign in, loaded only once."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from lumeire.accounts.models import User
from lumeire.accounts.services.signin import sign_in_check
from lumeire.demo.accounts import DEMO_PASSWORD, load_demo_customer
from lumeire.demo.loaders import demo_sign_ins

pytestmark = pytest.mark.django_db


def test_the_demo_customer_sign_in_is_printed():
    assert ("customer", "demo", DEMO_PASSWORD) in demo_sign_ins()


def test_loading_twice_opens_one_confirmed_account_that_can_sign_in(mailoutbox):
    first = load_demo_customer()
    second = load_demo_customer()

    user = User.objects.get()
    assert (user.get_username(), user.email) == ("demo", "demo@lumeire.example")
    assert user.email_verified_at is not None
    assert user.customer.full_name == "Demo Customer"
    assert mailoutbox == [], "the demo's confirmation email is not sent anywhere"
    assert first == "customer 'demo' opened, email confirmed"
    assert second == "customer 'demo' already there"
    request = RequestFactory().post("/en/account/sign-in/", REMOTE_ADDR="127.0.0.1")
    assert sign_in_check(request=request, login="demo", password=DEMO_PASSWORD) == user
