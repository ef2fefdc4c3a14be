"""Cookies keep to the registry: nothing unlisted, nothing optional without consent.

The middleware sits outside the session, CSRF and messages middlewares, so it sees every
Set-Cookie the store is about to send. It also sets the two optional cookies, because both
belong to the visitor's consent rather than to any one view: "recently viewed" on a product page
and the anonymous statistics id on any storefront page.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from lumeire.privacy.cookies import (
    CONSENT_COOKIE_NAME,
    RECENTLY_VIEWED,
    RECENTLY_VIEWED_COOKIE_NAME,
    RECENTLY_VIEWED_LIFETIME,
    STATISTICS,
    STATISTICS_COOKIE_NAME,
    STATISTICS_LIFETIME,
    Consent,
    consent_state,
    cookie_spec,
    parse_consent,
)
from lumeire.privacy.services import page_view_count

logger = logging.getLogger(__name__)

RECENTLY_VIEWED_KEEP = 5
PRODUCT_VIEW = "storefront:product"
_SLUG = re.compile(r"^[-a-zA-Z0-9_]{1,100}$")
# "<random id>.<YYYYMMDD last counted>": a browser counts once a day as a visitor.
_STATISTICS_VALUE = re.compile(r"^([0-9a-f]{32})\.([0-9]{8})$")


def recently_viewed_slugs(request: HttpRequest) -> list[str]:
    """The product slugs the recently-viewed cookie holds, newest first; empty without consent."""
    if RECENTLY_VIEWED not in consent_state(request).categories:
        return []
    raw = request.COOKIES.get(RECENTLY_VIEWED_COOKIE_NAME, "")
    slugs = [slug for slug in raw.split(".") if _SLUG.match(slug)]
    return list(dict.fromkeys(slugs))[:RECENTLY_VIEWED_KEEP]


def _is_deletion(morsel) -> bool:
    return str(morsel["max-age"]) == "0"


def _set(response: HttpResponse, name: str, value: str, lifetime) -> None:
    response.set_cookie(
        name,
        value,
        max_age=int(lifetime.total_seconds()),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


class CookieConsentMiddleware:
    """Read the visitor's consent into ``request.consent``; on the way out set the optional
    cookies they accepted and drop every cookie the registry or their consent does not allow."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.consent = consent_state(request)
        response = self.get_response(request)
        consent = self._consent_after(request, response)
        if consent.chosen:
            self._recently_viewed(request, response, consent)
            self._statistics(request, response, consent)
        self._enforce(response, consent)
        return response

    @staticmethod
    def _consent_after(request: HttpRequest, response: HttpResponse) -> Consent:
        """The choice in force for this response: a new one the view just set wins."""
        morsel = response.cookies.get(CONSENT_COOKIE_NAME)
        if morsel is not None and not _is_deletion(morsel):
            return parse_consent(morsel.value)
        return request.consent

    @staticmethod
    def _enforce(response: HttpResponse, consent: Consent) -> None:
        for name in list(response.cookies):
            morsel = response.cookies[name]
            spec = cookie_spec(name)
            if spec is None:
                # The name only: a cookie's value may be anything, including something personal.
                logger.warning(
                    "unregistered cookie dropped",
                    extra={"event": "cookie_dropped", "cookie": name, "why": "unregistered"},
                )
                del response.cookies[name]
            elif (
                not spec.essential
                and spec.category not in consent.categories
                and not _is_deletion(morsel)
            ):
                logger.warning(
                    "optional cookie dropped without consent",
                    extra={"event": "cookie_dropped", "cookie": name, "why": "no_consent"},
                )
                del response.cookies[name]

    @staticmethod
    def _storefront_page(request: HttpRequest, response: HttpResponse) -> bool:
        match = getattr(request, "resolver_match", None)
        return (
            request.method == "GET"
            and response.status_code == 200
            and match is not None
            and match.namespace == "storefront"
            and response.get("Content-Type", "").startswith("text/html")
        )

    def _recently_viewed(
        self, request: HttpRequest, response: HttpResponse, consent: Consent
    ) -> None:
        if RECENTLY_VIEWED not in consent.categories or not self._storefront_page(
            request, response
        ):
            return
        if request.resolver_match.view_name != PRODUCT_VIEW:
            return
        slug = request.resolver_match.kwargs.get("slug", "")
        if not _SLUG.match(slug):
            return
        # Read the cookie directly: consent may have been given on this very request.
        raw = request.COOKIES.get(RECENTLY_VIEWED_COOKIE_NAME, "")
        earlier = [s for s in raw.split(".") if _SLUG.match(s) and s != slug]
        slugs = [slug, *earlier][:RECENTLY_VIEWED_KEEP]
        _set(response, RECENTLY_VIEWED_COOKIE_NAME, ".".join(slugs), RECENTLY_VIEWED_LIFETIME)

    def _statistics(self, request: HttpRequest, response: HttpResponse, consent: Consent) -> None:
        if STATISTICS not in consent.categories or not self._storefront_page(request, response):
            return
        today = timezone.localdate()
        stamp = today.strftime("%Y%m%d")
        found = _STATISTICS_VALUE.match(request.COOKIES.get(STATISTICS_COOKIE_NAME, ""))
        first_view_today = found is None or found.group(2) != stamp
        if first_view_today:
            visitor = found.group(1) if found else secrets.token_hex(16)
            _set(response, STATISTICS_COOKIE_NAME, f"{visitor}.{stamp}", STATISTICS_LIFETIME)
        page_view_count(day=today, new_visitor=first_view_today)
