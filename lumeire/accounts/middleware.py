"""Session limits and cache headers for signed-in pages."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

from lumeire.accounts.sessions import renew_idle_clock, session_is_past_absolute_limit


class SessionLimitsMiddleware:
    """End a session that outlived its absolute lifetime, however active it was; restart the
    idle clock of one in use."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and session_is_past_absolute_limit(request):
            logout(request)
        renew_idle_clock(request)
        return self.get_response(request)


class NoStoreForSignedInMiddleware:
    """Pages seen by a signed-in person are never stored by browsers or proxies."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response
