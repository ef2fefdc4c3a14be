"""Customer-facing pages. Views parse input, call one selector or service, and render."""

from __future__ import annotations

import logging

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from lumeire.core.request_context import current_request_id
from lumeire.privacy.policy import rendered_sections
from lumeire.privacy.selectors import policy_version_get

logger = logging.getLogger(__name__)

# The last resort when even the 500 template cannot render: no template engine, no translation,
# nothing that could fail again; only the id support needs to find the logged error.
_BARE_SERVER_ERROR = (
    "<!doctype html>\n"
    '<html lang="en"><head><meta charset="utf-8"><title>Server error</title></head>\n'
    "<body><h1>Something went wrong</h1>\n"
    "<p>The error has been logged. If you contact us, quote this reference: "
    "<code>{request_id}</code></p></body></html>\n"
)


# The seed's four parts keep their ordinal headings; any later section is simply titled.
_ORDINALS = {
    "first": _("First:"),
    "second": _("Second:"),
    "third": _("Third:"),
    "fourth": _("Fourth:"),
}


@require_GET
def privacy(request: HttpRequest, version: int | None = None) -> HttpResponse:
    """The policy in force (or an earlier version), read before sharing anything.

    The text comes from the published PolicyVersion, so the page is exactly what a customer
    accepts; its generated parts are filled in from the running system as the page renders.
    """
    policy = policy_version_get(version)
    if policy is None:
        raise Http404
    sections = rendered_sections(policy, translation.get_language() or "en")
    introduction = next((s for s in sections if s["key"] == "introduction"), None)
    parts = [
        {**section, "ordinal": _ORDINALS.get(section["key"], "")}
        for section in sections
        if section["key"] != "introduction"
    ]
    context = {
        "policy": policy,
        "introduction": introduction,
        "sections": parts,
        "is_versioned_address": version is not None,
    }
    return render(request, "storefront/privacy.html", context)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """A friendly 404 in the visitor's language."""
    return render(request, "404.html", status=404)


@never_cache
def server_error(request: HttpRequest) -> HttpResponse:
    """A generic 500 with the request id for support; never a trace or a setting.

    The page itself must not become a second failure, so a broken template falls back to bare
    HTML that still carries the request id.
    """
    request_id = getattr(request, "request_id", "") or current_request_id.get()
    try:
        return render(request, "500.html", status=500)
    except Exception:
        logger.exception("the 500 page failed to render")
        return HttpResponseServerError(_BARE_SERVER_ERROR.format(request_id=escape(request_id)))
