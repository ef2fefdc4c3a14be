"""The one error shape of the API: ``{"detail": ..., "errors": {field: [messages]}}``.

Every router shares these handlers, so a malformed body is a 400 with field errors, a missing
object a 404, too many attempts a 429 with Retry-After, and never a 500 for bad input.
"""

from __future__ import annotations

import logging
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from lumeire.core.errors import ApplicationError

logger = logging.getLogger(__name__)


def _field_name(location: tuple[Any, ...]) -> str:
    # ninja reports ("body", "payload", "email"); the client knows only "email".
    parts = [str(part) for part in location if part not in ("body", "query", "path", "header")]
    if len(parts) > 1:
        parts = parts[1:]
    return ".".join(parts) or "body"


def field_errors_from(errors: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Group pydantic/ninja validation errors by the field a client sent."""
    grouped: dict[str, list[str]] = {}
    for error in errors:
        name = _field_name(tuple(error.get("loc", ())))
        message = str(error.get("msg", _("This value is not valid.")))
        grouped.setdefault(name, []).append(message)
    return grouped


def error_body(detail: str, errors: dict[str, list[str]] | None = None) -> dict[str, Any]:
    """Build the error shape of the API contract."""
    body: dict[str, Any] = {"detail": detail}
    if errors:
        body["errors"] = errors
    return body


def install_error_handlers(api: NinjaAPI) -> None:
    """Register the shared handlers on ``api``."""

    @api.exception_handler(ValidationError)
    def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return api.create_response(
            request,
            error_body(_("Some fields are missing or not valid."), field_errors_from(exc.errors)),
            status=400,
        )

    @api.exception_handler(ApplicationError)
    def on_application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
        body = error_body(exc.message, exc.field_errors)
        body["code"] = exc.code
        return api.create_response(request, body, status=exc.status_code)

    @api.exception_handler(Http404)
    def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return api.create_response(request, error_body(_("Not found.")), status=404)

    @api.exception_handler(AuthenticationError)
    def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return api.create_response(request, error_body(_("Sign in to do this.")), status=401)

    @api.exception_handler(Throttled)
    def on_throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
        response = api.create_response(
            request, error_body(_("Too many attempts. Try again later.")), status=429
        )
        if exc.wait is not None:
            response["Retry-After"] = str(max(1, int(exc.wait)))
        return response

    @api.exception_handler(HttpError)
    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return api.create_response(request, error_body(str(exc.message)), status=exc.status_code)

    @api.exception_handler(Exception)
    def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        # Logged with the request id; the client sees no trace, only the id to quote.
        logger.exception("unhandled API error")
        return api.create_response(
            request,
            error_body(
                _("Something went wrong on our side. Quote reference %(ref)s if you contact us.")
                % {"ref": getattr(request, "request_id", "-")}
            ),
            status=500,
        )
