"""The one error shape of the API: ``{"detail": ..., "errors": {field: [messages]}}``.

Every router shares these handlers, so a malformed body is a 400 with field errors, a missing
object a 404, too many attempts a 429 with Retry-After, and never a 500 for bad input.
"""

from __future__ import annotations

import logging
import math
from typing import Any

from django.core.exceptions import (
    NON_FIELD_ERRORS,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.request import RawPostDataException
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from lumeire.api.parser import UnsafeTextError
from lumeire.core.errors import ApplicationError
from lumeire.core.input_guard import unsafe_text_message
from lumeire.core.request_context import current_request_id

logger = logging.getLogger(__name__)


def _field_name(location: tuple[Any, ...]) -> str:
    # ninja reports ("body", "payload", "email"); the client knows only "email".
    parts = [str(part) for part in location if part not in ("body", "query", "path", "header")]
    if len(parts) > 1:
        parts = parts[1:]
    return ".".join(parts) or "body"


def _is_missing_body(location: tuple[Any, ...], error_type: str, *, body_sent: bool) -> bool:
    # With no body at all, ninja reports the view's parameter ("payload") as missing: a name
    # the client never saw.
    return (
        not body_sent and error_type == "missing" and len(location) == 2 and location[0] == "body"
    )


def field_errors_from(
    errors: list[dict[str, Any]], *, body_sent: bool = True
) -> dict[str, list[str]]:
    """Group pydantic/ninja validation errors by the field a client sent."""
    grouped: dict[str, list[str]] = {}
    for error in errors:
        location = tuple(error.get("loc", ()))
        if _is_missing_body(location, str(error.get("type", "")), body_sent=body_sent):
            name, message = "body", _("Send a JSON object in the request body.")
        else:
            name = _field_name(location)
            message = str(error.get("msg", _("This value is not valid.")))
        if message not in grouped.get(name, []):
            grouped.setdefault(name, []).append(message)
    return grouped


def _body_sent(request: HttpRequest) -> bool:
    try:
        return bool(request.body)
    except RawPostDataException:
        # A form body already parsed into request.POST: something was sent.
        return True


def _is_unparseable_body(exc: HttpError) -> bool:
    # ninja turns a body its parser cannot read into HttpError(400, "Cannot parse request body")
    # (with the parser's error appended under DEBUG), raised from the parser's exception.
    return (
        exc.status_code == 400
        and exc.__cause__ is not None
        and str(exc.message).startswith("Cannot parse request body")
    )


def unsafe_text_body(exc: UnsafeTextError) -> dict[str, Any]:
    """The 400 for text no field can hold, naming each field that held it."""
    return error_body(
        _("Some fields are missing or not valid."),
        {name: [unsafe_text_message()] for name in exc.field_names()},
    )


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
            error_body(
                _("Some fields are missing or not valid."),
                field_errors_from(exc.errors, body_sent=_body_sent(request)),
            ),
            status=400,
        )

    @api.exception_handler(ApplicationError)
    def on_application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
        body = error_body(exc.message, exc.field_errors)
        body["code"] = exc.code
        response = api.create_response(request, body, status=exc.status_code)
        retry_after = getattr(exc, "retry_after", None)
        if retry_after is not None:
            response["Retry-After"] = str(max(1, math.ceil(retry_after)))
        return response

    @api.exception_handler(Http404)
    def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return api.create_response(request, error_body(_("Not found.")), status=404)

    @api.exception_handler(AuthenticationError)
    def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = api.create_response(request, error_body(_("Sign in to do this.")), status=401)
        # RFC 6750: a 401 names the scheme the client should use.
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(Throttled)
    def on_throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
        response = api.create_response(
            request, error_body(_("Too many attempts. Try again later.")), status=429
        )
        if exc.wait is not None:
            response["Retry-After"] = str(max(1, math.ceil(exc.wait)))
        return response

    @api.exception_handler(UnsafeTextError)
    def on_unsafe_text(request: HttpRequest, exc: UnsafeTextError) -> HttpResponse:
        return api.create_response(request, unsafe_text_body(exc), status=400)

    @api.exception_handler(HttpError)
    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if isinstance(exc.__cause__, UnsafeTextError):
            # Parsed, but a string held a NUL or a lone surrogate: the fields are known.
            return api.create_response(request, unsafe_text_body(exc.__cause__), status=400)
        if _is_unparseable_body(exc):
            # The parser's own text is for developers; the client gets the fix in plain words.
            return api.create_response(
                request,
                error_body(
                    _("The request body is not valid JSON."),
                    {"body": [_("Send the body as a JSON object encoded in UTF-8.")]},
                ),
                status=400,
            )
        return api.create_response(request, error_body(str(exc.message)), status=exc.status_code)

    @api.exception_handler(DjangoValidationError)
    def on_django_validation_error(
        request: HttpRequest, exc: DjangoValidationError
    ) -> HttpResponse:
        # Model and field validators (the identity number's, full_clean()) raise Django's
        # ValidationError; it is the client's input at fault, so a 400, never a 500.
        if hasattr(exc, "error_dict"):
            errors = {
                ("body" if name == NON_FIELD_ERRORS else name): messages
                for name, messages in exc.message_dict.items()
            }
            detail = _("Some fields are missing or not valid.")
            return api.create_response(request, error_body(detail, errors), status=400)
        return api.create_response(request, error_body(" ".join(exc.messages)), status=400)

    @api.exception_handler(PermissionDenied)
    def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return api.create_response(
            request, error_body(_("You do not have permission to do this.")), status=403
        )

    @api.exception_handler(SuspiciousOperation)
    def on_suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
        # Django itself answers these with 400 (413 for an oversized body); so does the API.
        logger.warning("suspicious API request refused", extra={"reason": type(exc).__name__})
        if isinstance(exc, RequestDataTooBig):
            return api.create_response(
                request, error_body(_("The request body is too large.")), status=413
            )
        return api.create_response(
            request, error_body(_("The request could not be understood.")), status=400
        )

    @api.exception_handler(Exception)
    def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        # Logged with the request id; the client sees no trace, only the id to quote.
        logger.exception("unhandled API error")
        return api.create_response(
            request,
            error_body(
                _("Something went wrong on our side. Quote reference %(ref)s if you contact us.")
                % {"ref": getattr(request, "request_id", None) or current_request_id.get()}
            ),
            status=500,
        )
