"""Whole catalogue pages for visitors without a session, rendered once per catalogue version.

A visitor who sends no session cookie is anonymous, has an empty cart and no messages, so the
page they get depends only on its URL (the language is part of it) and on the catalogue. Each
worker keeps such pages in its own memory (the "pages" cache), keyed by the catalogue version
(one database row, moved when an edit commits), so one staff edit retires every copy in every
worker at once. The key also counts the home page banners' start and end times already passed,
so a scheduled banner appears and goes on time without a staff edit.

The cookie banner is part of the page, so the key also says whether the visitor has made their
cookie choice (the banner shows until they have); a visitor whose recently-viewed cookie lists
products sees them on the page, so they never get the shared copy.

The add-to-cart form's CSRF token is the one part that differs per visitor: it is cut out before
a page is stored and the visitor's own token is put back when it is served.

Pages are kept compressed, in a memory bounded by bytes and evicting the least recently used
(lumeire.storefront.page_memory), so a whole catalogue in both languages fits in each worker.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils.cache import patch_vary_headers

from lumeire.merchandising.selectors import banner_schedule_times, schedule_epoch
from lumeire.privacy.cookies import RECENTLY_VIEWED_COOKIE_NAME, consent_state
from lumeire.storefront.shelves import store_catalogue

PAGE_LIFETIME_SECONDS = 600
_TOKEN_FIELD = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*(")')
_TOKEN_PLACEHOLDER = b"\x00csrf\x00"
# zlib's level 6 packs a product page to about a quarter in a fraction of a millisecond.
_COMPRESSION_LEVEL = 6


# The pages that show the home page's banners (lumeire.merchandising).
PAGES_WITH_BANNERS = frozenset({"storefront:home"})
BANNER_TIMES_LIFETIME_SECONDS = 3600


def _banner_epoch(request: HttpRequest, version: int) -> str:
    """On a page with banners, a number that moves when a banner's start or end time passes,
    so a scheduled banner shows (or goes) on time without an edit; the times are read once per
    catalogue version. Other pages: nothing, and no query."""
    match = request.resolver_match
    if match is None or match.view_name not in PAGES_WITH_BANNERS:
        return ""
    times = caches["default"].get_or_set(
        f"banner:times:{version}", banner_schedule_times, BANNER_TIMES_LIFETIME_SECONDS
    )
    return f".{schedule_epoch(times=times)}"


def _key(request: HttpRequest) -> str:
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    # The request's catalogue object reads the version once for the page and its fragments.
    banner = "chosen" if consent_state(request).chosen else "banner"
    version = store_catalogue(request).version
    return f"page:{version}{_banner_epoch(request, version)}:{banner}:{path}"


def _shareable(request: HttpRequest) -> bool:
    """Only a GET from a visitor with no session and no pending messages sees the shared page."""
    return (
        request.method == "GET"
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
        and RECENTLY_VIEWED_COOKIE_NAME not in request.COOKIES
    )


def _serve(request: HttpRequest, stored: tuple[str, bytes]) -> HttpResponse:
    content_type, packed = stored
    body = zlib.decompress(packed)
    if _TOKEN_PLACEHOLDER in body:
        body = body.replace(_TOKEN_PLACEHOLDER, get_token(request).encode())
    response = HttpResponse(body, content_type=content_type)
    patch_vary_headers(response, ["Cookie"])
    return response


def shared_for_visitors_without_session(view: Callable) -> Callable:
    """Serve the view's 200 answers to session-less visitors from the per-worker page cache."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not _shareable(request):
            return view(request, *args, **kwargs)
        pages = caches["pages"]
        key = _key(request)
        stored = pages.get(key)
        if stored is not None:
            return _serve(request, stored)
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming and not response.cookies:
            body = _TOKEN_FIELD.sub(rb"\1" + _TOKEN_PLACEHOLDER + rb"\2", response.content)
            # Compressed, a worker holds about four times the pages in the same memory.
            packed = zlib.compress(body, _COMPRESSION_LEVEL)
            pages.set(key, (response["Content-Type"], packed), PAGE_LIFETIME_SECONDS)
        return response

    return wrapper
