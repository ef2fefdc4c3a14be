"""A lone surrogate or a NUL in any JSON string: the API's usual 400 naming the field, never a 500.

Every POST, PATCH and PUT endpoint the OpenAPI document lists is walked, and each string field
of its body (nested ones too) gets ``"\\ud800"`` in turn, signed in where the endpoint asks.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from lumeire.accounts.tests.factories import PASSWORD, make_customer
from lumeire.api.parser import StoreParser, UnsafeTextError
from lumeire.api.tests.helpers import API, send, sign_in
from lumeire.api.v1 import api

pytestmark = pytest.mark.django_db

LONE_SURROGATE = "\ud800"
NUL = "\x00"
MESSAGE = "Remove the invisible control or broken characters from this text."
_PATH_VALUES = {"id": "1", "number": "LM-1001", "slug": "silk-scarf"}


def _resolve(schema: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = document["components"]["schemas"][name]
    return schema


def _string_fields(
    schema: dict[str, Any], document: dict[str, Any], location: tuple = ()
) -> Iterator[tuple]:
    """The location of every string a body of this schema can hold."""
    schema = _resolve(schema, document)
    options = schema.get("anyOf") or schema.get("oneOf") or schema.get("allOf")
    if options:
        kinds = [_resolve(option, document) for option in options]
        if any(kind.get("type") == "string" for kind in kinds):
            yield location
            return
        for kind in kinds:
            if kind.get("type") in ("object", "array") or "properties" in kind:
                yield from _string_fields(kind, document, location)
                return
        return
    kind = schema.get("type")
    if kind == "string":
        yield location
    elif kind == "object" or "properties" in schema:
        for name, field in schema.get("properties", {}).items():
            yield from _string_fields(field, document, (*location, name))
    elif kind == "array":
        yield from _string_fields(schema.get("items", {}), document, (*location, 0))


def _body_with(location: tuple, value: str) -> Any:
    if not location:
        return value
    head, *rest = location
    inner = _body_with(tuple(rest), value)
    return [inner] if isinstance(head, int) else {head: inner}


def write_endpoints() -> list[tuple[str, str, tuple, bool]]:
    """(method, path, string field, needs sign-in) for every write endpoint's string fields."""
    document = api.get_openapi_schema()
    cases = []
    for route, operations in document["paths"].items():
        for method, operation in operations.items():
            if method not in ("post", "patch", "put"):
                continue
            content = operation.get("requestBody", {}).get("content", {})
            schema = content.get("application/json", {}).get("schema")
            if schema is None:
                continue
            path = route.removeprefix("/api/v1")
            for name, value in _PATH_VALUES.items():
                path = path.replace("{" + name + "}", value)
            for field in _string_fields(schema, document):
                cases.append((method.upper(), path, field, bool(operation.get("security"))))
    return cases


def test_the_walk_covers_the_endpoints_where_the_500_was_found():
    walked = {(method, path, field) for method, path, field, _auth in write_endpoints()}

    assert ("POST", "/accounts/signin", ("login",)) in walked
    assert ("POST", "/accounts/signup", ("username",)) in walked
    assert ("POST", "/accounts/password-recovery", ("login",)) in walked
    assert ("PATCH", "/accounts/me", ("full_name",)) in walked
    assert ("POST", "/cart/lines", ("sku",)) in walked
    assert ("POST", "/checkout/orders", ("shipping_address", "city")) in walked
    assert len({(m, p) for m, p, _f in walked}) >= 10


@pytest.fixture
def bearer() -> str:
    customer = make_customer()
    return sign_in(customer.username, PASSWORD)


@pytest.mark.parametrize("bad", [LONE_SURROGATE, NUL, f"Riyadh{NUL}", f"a{LONE_SURROGATE}b"])
def test_every_string_field_of_every_write_endpoint_refuses_unsafe_text(bearer, bad):
    failures = []
    for number, (method, path, field, needs_sign_in) in enumerate(write_endpoints()):
        body = json.dumps(_body_with(field, bad))  # ensure_ascii: "\ud800" travels escaped
        response = Client().generic(
            method,
            f"{API}{path}",
            data=body,
            content_type="application/json",
            headers={
                **({"Authorization": f"Bearer {bearer}"} if needs_sign_in else {}),
                "Idempotency-Key": f"unsafe-text-{number}",
            },
            REMOTE_ADDR=f"198.51.100.{number % 250 + 1}",
        )
        name = ".".join(str(part) for part in field)
        expected = {"detail": "Some fields are missing or not valid.", "errors": {name: [MESSAGE]}}
        if response.status_code != 400 or response.json() != expected:
            failures.append((method, path, name, response.status_code, response.content[:200]))

    assert failures == []


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("POST", "/accounts/signin", {"login": "\ud800", "password": "x" * 20}, "login"),
        ("POST", "/accounts/signin", {"login": "sara", "password": "\udfff"}, "password"),
        ("POST", "/accounts/password-recovery", {"login": "\ud800"}, "login"),
        ("POST", "/cart/lines", {"sku": "\ud800", "quantity": 1}, "sku"),
        ("POST", "/accounts/signup", {"username": "sara\x00"}, "username"),
    ],
)
def test_the_reported_attacks_get_the_usual_400(method, path, body, field):
    response = send(method, path, raw=json.dumps(body))

    assert response.status_code == 400
    assert response.json()["errors"] == {field: [MESSAGE]}


def test_patch_me_refuses_a_lone_surrogate_and_changes_nothing(bearer):
    before = send("GET", "/accounts/me", token=bearer).json()

    response = send("PATCH", "/accounts/me", raw='{"full_name": "\\ud800"}', token=bearer)

    assert response.status_code == 400
    assert response.json()["errors"] == {"full_name": [MESSAGE]}
    assert send("GET", "/accounts/me", token=bearer).json() == before


def test_a_bad_key_is_reported_without_repeating_it():
    response = send("POST", "/accounts/signin", raw='{"lo\\u0000gin": "x", "password": "y"}')

    assert response.status_code == 400
    assert response.json()["errors"] == {"body": [MESSAGE]}


def test_a_surrogate_pair_is_ordinary_text():
    response = send("POST", "/accounts/signin", raw='{"login": "\\ud83d\\ude00", "password": "x"}')

    assert response.status_code == 401


class _Body:
    def __init__(self, text: str) -> None:
        self.body = text.encode()


@pytest.mark.parametrize(
    ("text", "fields"),
    [
        ('{"a": "\\ud800"}', ["a"]),
        ('{"a": {"b": ["ok", "\\u0000"]}}', ["a.b.1"]),
        ('["\\udc00"]', ["0"]),
        ('"\\ud800"', ["body"]),
    ],
)
def test_the_parser_names_each_place(text, fields):
    with pytest.raises(UnsafeTextError) as refused:
        StoreParser().parse_body(_Body(text))

    assert refused.value.field_names() == fields


def test_the_parser_returns_clean_bodies_unchanged():
    assert StoreParser().parse_body(_Body('{"a": ["b", 1, null]}')) == {"a": ["b", 1, None]}
