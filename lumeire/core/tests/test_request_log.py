"""The store's access log: secrets in paths and query values masked, no client address.

The routes that carry a secret are found by walking the URLconf here, independently of the
code under test; every one of them, in every language, exact or mistyped, is requested through
the whole middleware stack and its log line is read as the console writes it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import uuid
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.http import HttpResponse, StreamingHttpResponse
from django.test import Client, RequestFactory, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, path, reverse
from django.utils import translation

from lumeire.core.logging import JsonFormatter, PrivateRequestFilter, RequestIdFilter
from lumeire.core.request_log import RequestLogMiddleware, client_pseudonym, masked_query
from lumeire.core.secret_urls import MASK, SecretTokenConverter, secret_routes
from lumeire.core.tokens import new_secret

ADDRESS = "203.0.113.41"
# What marks a URL parameter as a secret, as the store's own routes are written.
_SECRET_NAME = re.compile(r"token|secret|uidb|signature|(^|_)key$|(^|_)code$|otp|password")
_DUMMY = {"int": "7", "slug": "shelf", "str": "LM-1001", "path": "a/b"}


class Lines(logging.Handler):
    """The request log's lines, formatted as the console handler writes them."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []
        self.addFilter(RequestIdFilter())
        self.addFilter(PrivateRequestFilter())
        self.setFormatter(JsonFormatter())

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))

    def records(self) -> list[dict]:
        return [json.loads(line) for line in self.lines]


@pytest.fixture
def request_log() -> Iterator[Lines]:
    handler = Lines()
    loggers = [logging.getLogger("lumeire.requests"), logging.getLogger("django.request")]
    for logger in loggers:
        logger.addHandler(handler)
    yield handler
    for logger in loggers:
        logger.removeHandler(handler)


def _walk(patterns, namespace: str = "", converters: dict | None = None):
    for entry in patterns:
        found = {**(converters or {}), **getattr(entry.pattern, "converters", {})}
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, inner, found)
        elif isinstance(entry, URLPattern):
            regex_names = list(getattr(entry.pattern.regex, "groupindex", {}))
            yield namespace, entry, {**dict.fromkeys(regex_names), **found}


def routes_with_a_secret() -> list[tuple[str, dict[str, object]]]:
    """(view name, converters) of every route with a token converter or a secret parameter."""
    found = []
    for namespace, entry, converters in _walk(get_resolver().url_patterns):
        secret = [
            name
            for name, converter in converters.items()
            if isinstance(converter, SecretTokenConverter) or _SECRET_NAME.search(name)
        ]
        if secret:
            assert entry.name, f"a route with a secret needs a name: {entry.pattern}"
            found.append((f"{namespace}{entry.name}", converters))
    return found


def _kwargs(converters: dict[str, object], token: str) -> dict[str, str]:
    kwargs = {}
    for name, converter in converters.items():
        if isinstance(converter, SecretTokenConverter) or _SECRET_NAME.search(name):
            kwargs[name] = token
        elif type(converter).__name__ == "UUIDConverter":
            kwargs[name] = str(uuid.uuid4())
        else:
            kind = type(converter).__name__.removesuffix("Converter").lower()
            kwargs[name] = _DUMMY.get(kind, "x")
    return kwargs


def _secret_links() -> list:
    """(name, language, address with a fresh token) of each secret route in each language."""
    links = []
    for name, converters in routes_with_a_secret():
        for language, _label in settings.LANGUAGES:
            # The same token in every test process, so parallel workers collect the same tests.
            token = "t" + hashlib.sha256(f"{name}/{language}".encode()).hexdigest()[:42]
            with translation.override(language):
                links.append(
                    pytest.param(
                        name,
                        language,
                        reverse(name, kwargs=_kwargs(converters, token)),
                        id=f"{name}-{language}",
                    )
                )
    return links


def test_the_store_has_the_emailed_links_among_its_secret_routes():
    names = {name for name, _converters in routes_with_a_secret()}

    assert {
        "storefront:recover",
        "storefront:email_confirm_link",
        "storefront:erasure_confirm_link",
    } <= names
    # The code under test finds the same routes.
    assert len(secret_routes()) == len(names)


def _variants(link: str) -> dict[str, str]:
    stem = link.rstrip("/")
    return {
        "exact": link,
        "no final slash": stem,
        "more segments": f"{link}extra/more/",
        "altered token": f"{stem}.~x/",
        "query too": f"{link}?token={new_secret()}&next=/en/account/",
    }


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "language", "link"), _secret_links())
def test_every_secret_route_is_masked_in_the_log_line(request_log, name, language, link):
    client = Client(REMOTE_ADDR=ADDRESS)
    for variant, address in _variants(link).items():
        request_log.lines.clear()
        client.get(address)

        access = [r for r in request_log.records() if r["logger"] == "lumeire.requests"]
        assert len(access) == 1, variant
        whole = "\n".join(request_log.lines)
        for secret in re.findall(r"[A-Za-z0-9_-]{30,}", address):
            assert secret not in whole, (name, variant)
        assert MASK in access[0]["path"], (name, variant)
        assert ADDRESS not in whole
        assert access[0]["path"].startswith(f"/{language}/") or variant == "no final slash"


def test_a_fixed_address_beside_a_secret_route_is_not_masked(request_log, db):
    Client().get("/en/account/recover/set-password/")

    (line,) = [r for r in request_log.records() if r["logger"] == "lumeire.requests"]
    assert line["path"] == "/en/account/recover/set-password/"


@pytest.mark.django_db
def test_the_line_has_method_path_status_bytes_time_request_id_and_a_pseudonym(request_log):
    response = Client(REMOTE_ADDR=ADDRESS).get(
        "/en/search/?q=layla%40example.com&page=2&layla%40example.com"
    )

    (line,) = [r for r in request_log.records() if r["logger"] == "lumeire.requests"]
    assert line["method"] == "GET"
    assert line["path"] == "/en/search/?q=*&page=*&*=*"
    assert line["status"] == response.status_code
    assert line["bytes"] == len(response.content)
    assert isinstance(line["duration_ms"], float)
    assert line["request_id"] == response["X-Request-ID"]
    assert line["client"] == client_pseudonym(ADDRESS)
    assert "layla" not in request_log.lines[0] and ADDRESS not in request_log.lines[0]


def test_the_pseudonym_is_keyed_and_changes_every_day(settings):
    today = client_pseudonym(ADDRESS, day="2026-12-07")

    assert re.fullmatch(r"[0-9a-f]{16}", today)
    assert client_pseudonym(ADDRESS, day="2026-12-08") != today
    assert client_pseudonym("203.0.113.42", day="2026-12-07") != today
    settings.SECRET_KEY = "another key entirely, " * 3
    assert client_pseudonym(ADDRESS, day="2026-12-07") != today
    assert client_pseudonym(None) == ""


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ("", ""),
        ("q=lamp", "?q=*"),
        ("cursor=abc&limit=24", "?cursor=*&limit=*"),
        ("1234567890=x", "?*=*"),
        ("a%0Ab=x", "?*=*"),
        ("&&&", "?*"),
    ],
)
def test_query_values_are_masked_and_odd_names_too(query, shown):
    assert masked_query(query) == shown


def test_a_streamed_answer_is_logged_once_sent_with_its_bytes(request_log, db):
    def view(request):
        return StreamingHttpResponse(iter([b"abc", b"defgh"]))

    request = RequestFactory().get("/en/account/recover/" + new_secret() + "/")
    request.request_id = "req-stream-0001"
    response = RequestLogMiddleware(view)(request)
    assert request_log.lines == []  # nothing sent yet

    assert b"".join(response.streaming_content) == b"abcdefgh"
    response.close()
    (line,) = request_log.records()
    assert line["bytes"] == 8
    assert line["request_id"] == "req-stream-0001"
    assert line["path"] == f"/en/account/recover/{MASK}/"


def _boom(request, link):
    raise RuntimeError("the page broke")


def _plain_server_error(request):
    return HttpResponse("error", status=500)


urlpatterns = [path("boom/<token:link>/", _boom, name="boom")]
handler500 = _plain_server_error


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_a_server_error_on_a_secret_route_logs_the_masked_path_only(request_log):
    token = new_secret()
    response = Client(raise_request_exception=False).get(f"/boom/{token}/")

    assert response.status_code == 500
    whole = "\n".join(request_log.lines)
    assert token not in whole
    errors = [r for r in request_log.records() if r["logger"] == "django.request"]
    assert errors and errors[0]["message"] == f"Internal Server Error: /boom/{MASK}/"
    assert errors[0]["request"] == f"GET /boom/{MASK}/"


def test_the_console_applies_the_private_request_filter(settings):
    console = settings.LOGGING["handlers"]["console"]

    assert "private_request" in console["filters"]
    assert settings.LOGGING["loggers"]["lumeire.requests"]["level"] == "INFO"
    assert settings.MIDDLEWARE.index(
        "lumeire.core.request_log.RequestLogMiddleware"
    ) < settings.MIDDLEWARE.index("django.middleware.security.SecurityMiddleware")


def test_a_request_log_line_names_no_one(request_log, db):
    request = RequestFactory().get("/", REMOTE_ADDR=ADDRESS)
    RequestLogMiddleware(lambda r: HttpResponse(b"ok"))(request)

    (line,) = request_log.lines
    assert ADDRESS not in line
