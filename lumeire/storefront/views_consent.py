"""Cookie choices: the banner's two buttons and the settings page post here.

No JavaScript: each choice is a form. The choice goes into the consent cookie (read by the
cookie middleware) and is recorded as evidence; the optional cookies no longer accepted are
deleted at once. A refused choice changes nothing and says why, with status 400.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from lumeire.core.client import request_is_secure
from lumeire.core.errors import ApplicationError
from lumeire.privacy.cookies import (
    CONSENT_COOKIE_NAME,
    CONSENT_LIFETIME,
    OPTIONAL_CATEGORIES,
    OPTIONAL_CATEGORY_CODES,
    consent_cookie_value,
    consent_state,
    registry,
)
from lumeire.privacy.models import ConsentMethod
from lumeire.privacy.services import consent_record

CHOICES = {"all", "essential", "save"}
MAX_NEXT_LENGTH = 500


def _next_path(request: HttpRequest) -> str:
    """A local path to return to; anything else (another site, a scheme) goes to the home page."""
    target = request.POST.get("next", "")[:MAX_NEXT_LENGTH]
    if (
        target.startswith("/")
        and not target.startswith("//")
        and url_has_allowed_host_and_scheme(target, allowed_hosts=None, require_https=False)
    ):
        return target
    return reverse("storefront:home")


def _page(request: HttpRequest, *, error: str = "", status: int = 200) -> HttpResponse:
    accepted = consent_state(request).categories
    context = {
        "categories": [
            {"code": code, "label": label, "description": description, "on": code in accepted}
            for code, label, description in OPTIONAL_CATEGORIES
        ],
        "cookies": registry(),
        "error": error,
        "consent_page": True,
    }
    return render(request, "storefront/consent/settings.html", context, status=status)


def _chosen(request: HttpRequest) -> set[str]:
    choice = request.POST.get("choice", "")
    if choice not in CHOICES:
        raise ApplicationError("consent_choice_unknown", _("Choose one of the buttons offered."))
    if choice == "all":
        return set(OPTIONAL_CATEGORY_CODES)
    if choice == "essential":
        return set()
    return set(request.POST.getlist("categories"))


@never_cache
@require_http_methods(["GET", "POST"])
def consent(request: HttpRequest) -> HttpResponse:
    """Show the cookie settings, or save the visitor's choice and return to where they were."""
    if request.method == "GET":
        return _page(request)
    from_banner = request.POST.get("source") == "banner"
    try:
        categories = _chosen(request)
        record = consent_record(
            actor=request.user,
            categories=categories,
            method=ConsentMethod.BANNER if from_banner else ConsentMethod.SETTINGS,
            consent_id=consent_state(request).consent_id,
        )
    except ApplicationError as error:
        return _page(request, error=error.message, status=error.status_code)
    if from_banner:
        response = redirect(_next_path(request))
    else:
        messages.success(request, _("Your cookie choices are saved."))
        response = redirect("storefront:consent")
    response.set_cookie(
        CONSENT_COOKIE_NAME,
        consent_cookie_value(record.consent_id, categories),
        max_age=int(CONSENT_LIFETIME.total_seconds()),
        secure=request_is_secure(request),
        httponly=True,
        samesite="Lax",
    )
    for spec in registry():
        gone = not spec.essential and spec.category not in categories
        if gone and spec.name in request.COOKIES:
            response.delete_cookie(spec.name, samesite="Lax")
    return response
