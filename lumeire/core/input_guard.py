"""Text no field can hold: the NUL character and halves of a UTF-16 surrogate pair.

PostgreSQL refuses NUL in text, and no encoder can write a lone surrogate (``"\\ud800"`` is
valid JSON but not Unicode text), so either would fail deep inside a query or a template as a
500. They are refused at the door instead: :class:`UnsafeTextMiddleware` answers 400 for a path,
query string, header, cookie or form field holding one, and the API's JSON parser does the same
for bodies (``lumeire.api.parser``), naming the field.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

UNSAFE_TEXT = re.compile("[\x00\ud800-\udfff]")
# Requests under this prefix speak JSON (the public API); every other page answers in HTML.
API_PREFIX = "/api/"
# Bodies Django parses into request.POST; JSON is checked by the API's parser, which can name
# the field inside the object.
_FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
# Checked besides every HTTP_* header: what the server itself decodes from the request line.
_REQUEST_LINE_KEYS = ("PATH_INFO", "SCRIPT_NAME", "QUERY_STRING")


def has_unsafe_text(value: str) -> bool:
    """Whether ``value`` holds a NUL or a lone surrogate."""
    return UNSAFE_TEXT.search(value) is not None


def unsafe_text_message() -> str:
    """What a person is told when a field holds such a character."""
    return _("Remove the invisible control or broken characters from this text.")


def unsafe_locations(value: Any, location: tuple[str | int, ...] = ()) -> Iterator[tuple]:
    """Where in a parsed JSON value a string (or an object's key) holds unsafe text.

    A bad key is reported at its parent, since the key itself cannot be repeated back.
    """
    if isinstance(value, str):
        if has_unsafe_text(value):
            yield location
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and has_unsafe_text(key):
                yield location
                continue
            yield from unsafe_locations(item, (*location, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from unsafe_locations(item, (*location, index))


def _bad_fields(request: HttpRequest) -> list[str] | None:
    """The fields at fault, [] when the fault is not in a named field, None when all is well."""
    meta = request.META
    for key in _REQUEST_LINE_KEYS:
        if has_unsafe_text(str(meta.get(key, ""))):
            fields = _bad_query_fields(request) if key == "QUERY_STRING" else []
            return fields
    if has_unsafe_text(request.path) or has_unsafe_text(request.path_info):
        return []
    # Percent-decoding never yields a lone surrogate (broken UTF-8 becomes U+FFFD), so only a
    # query that spells a NUL needs parsing here.
    if "%00" in meta.get("QUERY_STRING", "") and (bad := _bad_query_fields(request)):
        return bad
    for key, value in meta.items():
        if key.startswith("HTTP_") and isinstance(value, str) and has_unsafe_text(value):
            return []
    if request.method == "POST" and request.content_type in _FORM_TYPES:
        try:
            form = request.POST
        except MultiPartParserError:
            return None  # the view reports a broken form as it always has
        bad = sorted(
            {
                name if not has_unsafe_text(name) else "form"
                for name, values in form.lists()
                if has_unsafe_text(name) or any(has_unsafe_text(value) for value in values)
            }
        )
        if bad:
            return bad
    return None


def _bad_query_fields(request: HttpRequest) -> list[str]:
    return sorted(
        {
            name if not has_unsafe_text(name) else "query"
            for name, values in request.GET.lists()
            if has_unsafe_text(name) or any(has_unsafe_text(value) for value in values)
        }
    )


class UnsafeTextMiddleware:
    """Answer 400 to a request whose path, query, headers or form fields hold unsafe text."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        bad = _bad_fields(request)
        if bad is None:
            return self.get_response(request)
        return self._refusal(request, bad)

    @staticmethod
    def _refusal(request: HttpRequest, fields: list[str]) -> HttpResponse:
        language = translation.get_language_from_request(request, check_path=True)
        with translation.override(language):
            detail = _("The request holds characters the store cannot accept.")
            if request.path.startswith(API_PREFIX):
                body: dict[str, Any] = {"detail": detail}
                if fields:
                    body["errors"] = {field: [unsafe_text_message()] for field in fields}
                return JsonResponse(body, status=400)
            html = render_to_string(
                "core/bad_request.html",
                {"detail": detail, "advice": unsafe_text_message()},
            )
        return HttpResponse(html, status=400)
