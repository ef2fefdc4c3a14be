"""Web sessions of signed-in customers: how long they last and when to ask for the password."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import login
from django.http import HttpRequest

from lumeire.accounts.models import User

AUTH_TIME_KEY = "lumeire_auth_time"
STARTED_KEY = "lumeire_session_started"
REMEMBER_KEY = "lumeire_remember_me"


def session_start(request: HttpRequest, user: User, *, remember_me: bool = False) -> None:
    """Sign ``user`` in on this browser with a new session id (Django's login rotates it)."""
    login(request, user, backend="lumeire.accounts.backends.LoginBackend")
    now = int(time.time())
    request.session[AUTH_TIME_KEY] = now
    request.session[STARTED_KEY] = now
    request.session[REMEMBER_KEY] = remember_me
    if remember_me:
        request.session.set_expiry(int(settings.LUMEIRE_REMEMBER_ME_LIFETIME.total_seconds()))


def session_reauthenticated(request: HttpRequest) -> None:
    """Record that the customer just typed their password again."""
    request.session[AUTH_TIME_KEY] = int(time.time())


def needs_reauthentication(request: HttpRequest) -> bool:
    """Whether a sensitive change must first ask for the password again."""
    signed_in_at = request.session.get(AUTH_TIME_KEY, 0)
    return time.time() - signed_in_at > settings.LUMEIRE_REAUTHENTICATE_AFTER.total_seconds()


def session_is_past_absolute_limit(request: HttpRequest) -> bool:
    """Whether the session outlived 12 hours (30 days with "remember me")."""
    started = request.session.get(STARTED_KEY)
    if started is None:
        return False
    limit = (
        settings.LUMEIRE_REMEMBER_ME_LIFETIME
        if request.session.get(REMEMBER_KEY)
        else settings.LUMEIRE_SESSION_ABSOLUTE_LIFETIME
    )
    return time.time() - started > limit.total_seconds()
