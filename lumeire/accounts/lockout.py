"""What failures are counted by: the account a login reaches, never the string as typed.

django-axes keeps one counter per key. A login that resolves to an account counts against that
account's pseudonym (``account_ref``), whichever spelling, username or email was typed; a login
that resolves to nobody counts against its normalised form (``login_ref``), so unknown logins
lock the same way and the counters say nothing about which logins exist.

The counters live in the "shared" cache, which fails closed: while it is unreachable every
sign-in is refused with a 503 (``lumeire.core.cache.SharedStoreUnavailable``), never let through
uncounted.
"""

from __future__ import annotations

from axes.handlers.cache import AxesCacheHandler
from axes.helpers import make_cache_key_list
from axes.signals import user_locked_out
from django.conf import settings
from django.core.cache import BaseCache, caches
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from lumeire.accounts.models import User
from lumeire.accounts.normalization import normalize_login
from lumeire.accounts.pseudonyms import account_ref, client_ref, login_ref
from lumeire.accounts.selectors import user_by_login
from lumeire.core.client import client_address
from lumeire.core.metrics import count_sign_in_lockout

_REQUEST_CACHE = "_lumeire_attempt_refs"


def counter_ref(user: User | None, login: str) -> str:
    """The counter key of ``login`` once looked up: ``user``'s pseudonym, else the login's."""
    return account_ref(user.pk) if user is not None else login_ref(login)


def attempt_ref(login: str, request: HttpRequest | None = None) -> str:
    """The counter key of a login: its account's pseudonym, else its normalised form's hash.

    Looked up once per request (django-axes asks several times while checking one attempt).
    """
    normalised = normalize_login(login or "")
    known = getattr(request, _REQUEST_CACHE, None) if request is not None else None
    if known is not None and normalised in known:
        return known[normalised]
    ref = counter_ref(user_by_login(normalised), normalised)
    if request is not None:
        if known is None:
            known = {}
            setattr(request, _REQUEST_CACHE, known)
        known[normalised] = ref
    return ref


def axes_login_key(request: HttpRequest, credentials: dict[str, object] | None) -> str:
    """The account key of a sign-in attempt (see ``attempt_ref``)."""
    login = (credentials or {}).get("login") or (credentials or {}).get("username") or ""
    return attempt_ref(str(login), request)


def axes_client_key(request: HttpRequest) -> str:
    """The address key of a sign-in attempt: the keyed hash of the client address."""
    return client_ref(client_address(request)) or "unknown"


def axes_client_str(
    username: str, ip_address: str, user_agent: str, path_info: object, request: HttpRequest
) -> str:
    """How django-axes names a client in its log lines: keyed hashes, never the login typed."""
    return f"login {(username or '-')[:12]} from {(ip_address or '-')[:12]}"


def forget_failures_of(user: User) -> None:
    """Clear the account's failure count after a good sign-in (the address's count stays).

    The account has one counter whatever was typed, so a good sign-in clears exactly the
    failures made against this account, and no other login's.
    """
    keys = make_cache_key_list([{"username": account_ref(user.pk)}])
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


class SharedCacheAxesHandler(AxesCacheHandler):
    """django-axes' cache handler, reading the configured cache at each use.

    django-axes builds one handler per process and would keep the cache object of the thread
    that built it; Django's cache objects belong to one thread each.
    """

    def __init__(self) -> None:  # no cache is held
        pass

    @property
    def cache(self) -> BaseCache:
        return caches[settings.AXES_CACHE]


@receiver(user_locked_out, dispatch_uid="lumeire.accounts.lockout.count")
def _count_lockout(sender: object, request: HttpRequest | None = None, **kwargs: object) -> None:
    # django-axes sends this signal again for each attempt refused while locked; only the
    # attempt that locked counted its failure (axes_failures_since_start), so only it counts.
    if request is not None and getattr(request, "axes_failures_since_start", None) is not None:
        count_sign_in_lockout()
