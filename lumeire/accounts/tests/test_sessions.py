"""Session lifetimes: 12 hours in all (30 days when remembered), re-authentication after 30 min."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpResponse
from django.test import RequestFactory
from freezegun import freeze_time

from lumeire.accounts.middleware import NoStoreForSignedInMiddleware, SessionLimitsMiddleware
from lumeire.accounts.sessions import needs_reauthentication, session_start
from lumeire.accounts.tests.factories import make_customer

pytestmark = pytest.mark.django_db


def signed_in_request(user, *, remember_me: bool):
    request = RequestFactory().get("/en/")
    SessionMiddleware(lambda r: HttpResponse()).process_request(request)
    request.user = AnonymousUser()
    session_start(request, user, remember_me=remember_me)
    return request


def run_limits(request):
    SessionLimitsMiddleware(lambda r: HttpResponse())(request)
    return request.user.is_authenticated


@pytest.mark.parametrize(
    ("remember_me", "still_in", "gone"),
    [
        (False, timedelta(hours=11, minutes=59), timedelta(hours=12, minutes=1)),
        (True, timedelta(days=29), timedelta(days=30, minutes=1)),
    ],
)
def test_a_session_ends_at_its_absolute_limit_however_active(remember_me, still_in, gone):
    user = make_customer()
    with freeze_time() as clock:
        request = signed_in_request(user, remember_me=remember_me)
        clock.tick(still_in)
        assert run_limits(request) is True
        clock.tick(gone - still_in)
        assert run_limits(request) is False


def test_sensitive_changes_ask_for_the_password_after_thirty_minutes():
    user = make_customer()
    with freeze_time() as clock:
        request = signed_in_request(user, remember_me=True)
        assert needs_reauthentication(request) is False
        clock.tick(timedelta(minutes=31))
        assert needs_reauthentication(request) is True


def test_signed_in_pages_are_never_stored_and_anonymous_ones_may_be():
    user = make_customer()
    signed_in = signed_in_request(user, remember_me=False)
    response = NoStoreForSignedInMiddleware(lambda r: HttpResponse())(signed_in)
    assert "no-store" in response["Cache-Control"]
    anonymous = RequestFactory().get("/en/")
    anonymous.user = AnonymousUser()
    response = NoStoreForSignedInMiddleware(lambda r: HttpResponse())(anonymous)
    assert not response.has_header("Cache-Control")
