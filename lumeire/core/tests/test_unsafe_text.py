"""NUL characters and lone surrogates in a path, query, header, cookie or form: a 400, never a 500.

PostgreSQL refuses NUL in text, so on the store's production database these reached a query and
failed as a 500; the middleware answers first, in the page's language, or in the API's shape.
"""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import Client, RequestFactory

from lumeire.core.input_guard import UnsafeTextMiddleware, has_unsafe_text, unsafe_locations

pytestmark = pytest.mark.django_db

WEB_PAGES = [
    "/en/",
    "/en/search/",
    "/en/p/silk-scarf/",
    "/en/account/orders/LM-1001/",
    "/en/account/sign-in/",
    "/ar/account/forgot/",
    "/media/products/originals/a.jpg",
    "/backoffice/",
]


@pytest.mark.parametrize("page", WEB_PAGES)
@pytest.mark.parametrize("query", ["q=a%00b", "a%00=1", "next=%00", "cursor=%00%00"])
def test_nul_in_a_query_string_is_a_400_page(page, query):
    response = Client().get(f"{page}?{query}")

    assert response.status_code == 400
    assert b"<html" in response.content


@pytest.mark.parametrize(
    "path",
    [
        "/en/p/silk%00scarf/",
        "/en/account/orders/LM%001001/",
        "/en/account/recover/abc%00def/",
        "/media/products/%00.jpg",
        "/backoffice/orders/order/%00/change/",
        "/api/v1/orders/LM%001001",
        "/api/v1/catalog/products/a%00b",
        "/%00",
    ],
)
def test_nul_in_a_path_is_a_400(path):
    response = Client().get(path)

    assert response.status_code == 400


@pytest.mark.parametrize(
    ("page", "form"),
    [
        ("/en/account/sign-in/", {"login": "sara\x00", "password": "x" * 20}),
        ("/en/account/sign-up/", {"username": "sara", "full_name": "Sara\x00"}),
        ("/en/account/forgot/", {"login": "\x00"}),
        ("/en/search/", {"q": "lamp\x00"}),
        ("/en/privacy/cookies/", {"analytics\x00": "on"}),
        ("/backoffice/login/", {"username": "staff\x00", "password": "x"}),
    ],
)
def test_nul_in_a_form_post_is_a_400_page(page, form):
    response = Client().post(page, form)

    assert response.status_code == 400
    assert b"<html" in response.content


def test_nul_in_a_multipart_form_is_a_400():
    response = Client().post("/en/account/sign-in/", {"login": "a\x00b"}, format="multipart")

    assert response.status_code == 400


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Cart-Token": "abc\x00def"},
        {"Idempotency-Key": "\x00"},
        {"Cookie": "lumeire_session=abc\x00def"},
        {"Accept-Language": "ar\x00"},
    ],
)
def test_nul_in_a_header_or_cookie_is_a_400(headers):
    meta = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()}

    assert Client().get("/en/cart/", **meta).status_code == 400
    assert Client().get("/api/v1/cart", **meta).status_code == 400


def test_the_page_speaks_the_visitors_language():
    english = Client().get("/en/search/?q=%00").content.decode()
    arabic = Client().get("/ar/search/?q=%00").content.decode()

    assert 'lang="en"' in english and "cannot accept" in english
    assert 'lang="ar"' in arabic and 'dir="rtl"' in arabic
    assert "cannot accept" not in arabic


def test_the_api_answers_in_its_error_shape_naming_the_query_field():
    response = Client().get("/api/v1/catalog/products?q=lamp%00&limit=5")

    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert list(body["errors"]) == ["q"]


def test_a_clean_request_passes_untouched():
    response = Client().get("/en/search/?q=lamp")

    assert response.status_code == 200


def test_a_json_body_is_left_to_the_api_parser():
    seen = []

    def view(request):
        seen.append(request.body)
        return HttpResponse("ok")

    request = RequestFactory().post(
        "/api/v1/accounts/signin", data='{"login": "\\u0000"}', content_type="application/json"
    )
    response = UnsafeTextMiddleware(view)(request)

    assert response.status_code == 200 and seen == [b'{"login": "\\u0000"}']


@pytest.mark.parametrize(
    ("value", "unsafe"),
    [
        ("plain", False),
        ("tab\tand\nnewline", False),
        ("عربي", False),
        ("emoji \N{GRINNING FACE}", False),
        ("\x00", True),
        ("\ud800", True),
        ("x\udfffy", True),
    ],
)
def test_what_counts_as_unsafe_text(value, unsafe):
    assert has_unsafe_text(value) is unsafe


def test_unsafe_places_in_a_json_value_are_found():
    value = {
        "ok": "fine",
        "name": "\ud83d",
        "address": {"city": "Riyadh\x00"},
        "lines": [{"sku": "A"}, {"sku": "\udc00"}],
        "bad\x00key": "x",
    }

    assert list(unsafe_locations(value)) == [
        ("name",),
        ("address", "city"),
        ("lines", 1, "sku"),
        (),
    ]
