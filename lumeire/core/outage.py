"""The one answer to an action refused because the shared store is unreachable: 503, Retry-After.

Lockout and rate-limit counters live in the "shared" cache, which fails closed
(``lumeire.core.cache``). A refusal that leaves a view becomes here a 503 page in the visitor's
language, or the API's JSON error shape under ``/api/``; the API's own error handlers give the
same JSON to refusals raised inside it. A view that caught the refusal and drew its own 503 page
gets the ``Retry-After`` header added.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

from lumeire.core.cache import (
    RETRY_AFTER_SECONDS,
    SharedStoreUnavailable,
    forget_refusal,
    shared_store_refused_in_request,
)

_API = "/api/"


def shared_store_unavailable_response(
    request: HttpRequest, refusal: SharedStoreUnavailable
) -> HttpResponse:
    """The 503 for ``refusal``: JSON under /api/, otherwise a page that needs nothing else."""
    if request.path_info.startswith(_API):
        response: HttpResponse = JsonResponse(
            {"detail": refusal.message, "code": refusal.code}, status=503
        )
    else:
        try:
            html = render_to_string(
                "core/unavailable.html", {"detail": refusal.message}, request=request
            )
        except Exception:  # the page must not become a second failure: plain text then
            response = HttpResponse(
                refusal.message, status=503, content_type="text/plain; charset=utf-8"
            )
        else:
            response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class SharedStoreOutageMiddleware:
    """Turn a shared-store refusal into the 503 with Retry-After, never a 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        forget_refusal()
        response = self.get_response(request)
        if (
            response.status_code == 503
            and shared_store_refused_in_request()
            and not response.has_header("Retry-After")
        ):
            response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, SharedStoreUnavailable):
            return shared_store_unavailable_response(request, exception)
        return None
