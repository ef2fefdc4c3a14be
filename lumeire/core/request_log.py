"""The store's access log: one JSON line per request, with nothing in it that names a person.

It stands in for the web server's own access log, which would print client addresses and whole
URLs, one-time links included. Each line holds the method, the path with its secret segments
masked (the routes that carry them are read from the URLconf, see ``secret_urls``), the names of
the query parameters with every value masked, the status, the bytes sent, the time taken, the
request id and, at most, a keyed pseudonym of the client's address that changes every day.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from functools import lru_cache
from urllib.parse import parse_qsl

from django.conf import settings
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.urls import get_urlconf
from django.utils.crypto import salted_hmac

from lumeire.core.client import client_address
from lumeire.core.input_guard import UNSAFE_TEXT
from lumeire.core.secret_urls import mask_secrets, route_carries_secret

logger = logging.getLogger("lumeire.requests")

MASKED_VALUE = "*"
MAX_PATH_LENGTH = 300
MAX_QUERY_PARAMETERS = 12
# Query parameter names are shown only when they look like names; "?layla@example.com" is not.
_PARAMETER_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.\-\[\]]{0,39}$")


@lru_cache(maxsize=4)
def _day_key(day: str, secret_key: str) -> bytes:
    # Derived once a day, not on every request.
    return salted_hmac(f"lumeire.request-log.client.{day}", b"", secret=secret_key).digest()


def client_pseudonym(address: str | None, *, day: str | None = None) -> str:
    """A keyed hash of the address, new each UTC day: requests link up within a day, no longer."""
    if not address:
        return ""
    day = day or datetime.now(UTC).strftime("%Y-%m-%d")
    key = _day_key(day, settings.SECRET_KEY)
    return hmac.new(key, address.encode(), hashlib.sha256).hexdigest()[:16]


def masked_query(query_string: str) -> str:
    """The query's parameter names, every value replaced by ``*``."""
    if not query_string:
        return ""
    names = []
    for name, _value in parse_qsl(query_string, keep_blank_values=True)[:MAX_QUERY_PARAMETERS]:
        names.append(f"{name if _PARAMETER_NAME.match(name) else MASKED_VALUE}={MASKED_VALUE}")
    return "?" + "&".join(names) if names else "?" + MASKED_VALUE


def logged_path(request: HttpRequest) -> str:
    """The request's path as the log shows it: secrets masked, query values masked."""
    path = UNSAFE_TEXT.sub("\ufffd", request.path)
    match = getattr(request, "resolver_match", None)
    # A path that resolved to a route without a secret holds none (``recover/set-password/``
    # beside ``recover/<token>/``); any other path is read against every secret route.
    if match is None or route_carries_secret(match.route):
        path = mask_secrets(path, getattr(request, "urlconf", None) or get_urlconf())
    if len(path) > MAX_PATH_LENGTH:
        path = path[:MAX_PATH_LENGTH] + "…"
    return path + masked_query(request.META.get("QUERY_STRING", ""))


def _counted(chunks: Iterable[bytes], done: Callable[[int], None]) -> Iterator[bytes]:
    sent = 0
    try:
        for chunk in chunks:
            sent += len(chunk)
            yield chunk
    finally:
        done(sent)


class RequestLogMiddleware:
    """Write the request's access-log line once its answer is known (streams: once sent)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        request_id = getattr(request, "request_id", "-")
        length = response.get("Content-Length")
        if length is not None and length.isdigit():
            self._write(request, response, int(length), started, request_id)
        elif isinstance(response, StreamingHttpResponse):
            response.streaming_content = _counted(
                response.streaming_content,
                lambda sent: self._write(request, response, sent, started, request_id),
            )
        else:
            self._write(request, response, len(response.content), started, request_id)
        return response

    @staticmethod
    def _write(
        request: HttpRequest,
        response: HttpResponse,
        sent: int,
        started: float,
        request_id: str,
    ) -> None:
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        path = logged_path(request)
        logger.info(
            "%s %s %s %sB %sms",
            request.method,
            path,
            response.status_code,
            sent,
            duration_ms,
            extra={
                "method": request.method,
                "path": path,
                "status": response.status_code,
                "bytes": sent,
                "duration_ms": duration_ms,
                "request_id": request_id,
                "client": client_pseudonym(client_address(request)),
            },
        )
