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
RENEWED_KEY = "lumeire_idle_renewed"
# A request restarts its session's idle clock (the stored expiry, and the cookie's); the session
# is written for it at most once a minute, not on every page: a write per page would make each
# signed-in page a database write, and on SQLite a wait for its single writer. A session thus
# ends 29 to 30 minutes after its last request, never later.
IDLE_RENEWAL_SECONDS = 60


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


def renew_idle_clock(request: HttpRequest) -> None:
    """Restart the idle clock of the browser's stored session, at most once a minute."""
    session = request.session
    if session.session_key is None:
        return  # no stored session: nothing to renew, and none is made for it
    now = int(time.time())
    last = session.get(RENEWED_KEY)
    if not isinstance(last, int) or not 0 <= now - last < IDLE_RENEWAL_SECONDS:
        session[RENEWED_KEY] = now  # modified: saved with a fresh expiry and cookie
