"""What django-axes counts failures by: keyed hashes, so no login or address is kept in clear."""

from __future__ import annotations

from axes.helpers import make_cache_key_list
from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from lumeire.accounts.pseudonyms import client_ref, login_ref


def axes_login_key(request: HttpRequest, credentials: dict[str, object] | None) -> str:
    """The account key of a sign-in attempt: the keyed hash of the login as typed."""
    login = (credentials or {}).get("login") or (credentials or {}).get("username") or ""
    return login_ref(str(login))


def axes_client_key(request: HttpRequest) -> str:
    """The address key of a sign-in attempt: the keyed hash of the client address."""
    return client_ref(request.META.get("REMOTE_ADDR")) or "unknown"


def axes_client_str(
    username: str, ip_address: str, user_agent: str, path_info: object, request: HttpRequest
) -> str:
    """How django-axes names a client in its log lines: keyed hashes, never the login typed."""
    return f"login {login_ref(username or '')[:12]} from {(ip_address or '-')[:12]}"


def forget_failures_of(login: str, user_login: str) -> None:
    """Clear the failure count of an account after a good sign-in (not the address's count)."""
    keys = make_cache_key_list(
        [{"username": login_ref(login)}, {"username": login_ref(user_login)}]
    )
    caches[settings.AXES_CACHE].delete_many(keys)


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: object = None
) -> HttpResponse:
    """Keep the page or API answer that already told the person when to try again."""
    if original_response is not None:
        return original_response
    return HttpResponse(
        _("Too many failed sign-ins. Try again later."), status=429, content_type="text/plain"
    )
