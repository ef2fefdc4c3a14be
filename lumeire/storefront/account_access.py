"""Who may open an account page, and when the password must be typed again first."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from lumeire.accounts.sessions import needs_reauthentication
from lumeire.core.client import request_is_secure
from lumeire.core.tokens import secret_hash

View = Callable[..., HttpResponse]


def customer_required(view: View) -> View:
    """Signed-in customers only; a staff account has no customer pages (404, not a hint)."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not hasattr(request.user, "customer"):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def recent_password_required(view: View) -> View:
    """Ask for the password again when the last sign-in is older than the re-check window.

    "Remember me" keeps a browser signed in for weeks; personal data and security settings must
    not be one unlocked laptop away. A POST from a stale session changes nothing: it is sent to
    the confirmation page, which then returns to the form.
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if needs_reauthentication(request):
            query = urlencode({"next": request.path})
            return redirect(f"{reverse('storefront:confirm_password')}?{query}")
        return view(request, *args, **kwargs)

    return wrapped


def private_page(view: View) -> View:
    """A page of the customer's own data: customer only, password typed recently, never cached."""
    return customer_required(recent_password_required(never_cache(view)))


def no_referrer(view: View) -> View:
    """Send no Referer from this page: its address, or the one before it, carried a secret."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response["Referrer-Policy"] = "no-referrer"
        return response

    return wrapped


def link_into_session(session_key: str, page: str) -> View:
    """The view an emailed link opens: keep only the hash of its secret in the session and go on
    to ``page``, whose address carries no secret and which acts on a button press (mail scanners
    open links)."""

    @never_cache
    @no_referrer
    @require_GET
    def opened(request: HttpRequest, token: str) -> HttpResponse:
        request.session[session_key] = secret_hash(token)
        return redirect(page)

    return opened


def safe_next(request: HttpRequest, candidate: str | None, default: str) -> str:
    """``candidate`` when it is a path on this site, otherwise ``default``."""
    if (
        candidate
        and candidate.startswith("/")
        and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request_is_secure(request)
        )
    ):
        return candidate
    return default
