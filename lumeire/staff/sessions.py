"""What a back office session holds: who passed the second factor and when, and its idle limit.

A staff member is signed in (Django's ``login``) only after both factors. Between the password
and a first two-factor enrolment the session holds only a short-lived "pending" marker, so no
page of the store treats that browser as signed in.
"""

from __future__ import annotations

import time

from django.contrib.auth import login
from django.http import HttpRequest

from lumeire.accounts.models import AccountKind, User
from lumeire.accounts.sessions import AUTH_TIME_KEY, STARTED_KEY

SECOND_FACTOR_KEY = "lumeire_staff_second_factor"
PENDING_KEY = "lumeire_staff_pending"
# Staff sessions end after 30 minutes without a request, whatever the storefront's settings.
STAFF_IDLE_SECONDS = 30 * 60
# How long the password step stays good for a first two-factor enrolment.
PENDING_SECONDS = 10 * 60
BACKEND = "lumeire.accounts.backends.LoginBackend"


def staff_session_start(request: HttpRequest, user: User) -> None:
    """Sign a staff member in after both factors; the session id is new (login rotates it)."""
    request.session.pop(PENDING_KEY, None)
    login(request, user, backend=BACKEND)
    now = int(time.time())
    request.session[STARTED_KEY] = now
    request.session[AUTH_TIME_KEY] = now
    request.session[SECOND_FACTOR_KEY] = {"user": str(user.pk), "at": now}
    # An explicit expiry, renewed with the idle clock (lumeire.accounts.sessions): idle.
    request.session.set_expiry(STAFF_IDLE_SECONDS)


def second_factor_passed(request: HttpRequest) -> bool:
    """Whether this session's signed-in staff member passed the second factor in it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    marker = request.session.get(SECOND_FACTOR_KEY)
    return isinstance(marker, dict) and marker.get("user") == str(user.pk)


def staff_pending_start(request: HttpRequest, user: User, next_url: str = "") -> None:
    """Remember, for ten minutes, that the password was right and enrolment must follow."""
    request.session.cycle_key()
    request.session[PENDING_KEY] = {
        "user": str(user.pk),
        "at": int(time.time()),
        "next": next_url,
    }
    request.session.set_expiry(STAFF_IDLE_SECONDS)


def staff_pending_user(request: HttpRequest) -> User | None:
    """The staff member who typed the right password and must now enrol, if still in time."""
    marker = request.session.get(PENDING_KEY)
    if not isinstance(marker, dict):
        return None
    if time.time() - int(marker.get("at", 0)) > PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        return None
    staff = User.objects.filter(kind=AccountKind.STAFF, is_active=True)
    return staff.filter(pk=marker.get("user")).first()


def staff_pending_next(request: HttpRequest) -> str:
    """Where the staff member asked to go before the enrolment step."""
    marker = request.session.get(PENDING_KEY)
    return str(marker.get("next") or "") if isinstance(marker, dict) else ""
