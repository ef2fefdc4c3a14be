"""The API's JSON parser: strict about text no field can hold.

``{"login": "\\ud800"}`` is valid JSON, yet a lone surrogate cannot be encoded, hashed or stored,
and PostgreSQL refuses NUL in text: either would fail as a 500 deep inside a service. The parser
refuses them first and names the field, so the client gets the API's usual 400.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from ninja.parser import Parser

from lumeire.core.input_guard import has_unsafe_text, unsafe_locations


def _is_unsafe(value: object) -> bool:
    # Uploaded files sit beside the text values of a form; only text is checked.
    return isinstance(value, str) and has_unsafe_text(value)


class UnsafeTextError(ValueError):
    """A body or query held a NUL or a lone surrogate at these places."""

    def __init__(self, locations: list[tuple[str | int, ...]]) -> None:
        super().__init__("unsafe text")
        self.locations = locations

    def field_names(self) -> list[str]:
        """The fields as the client wrote them (``shipping_address.city``, ``lines.0.sku``)."""
        names = {".".join(str(part) for part in location) or "body" for location in self.locations}
        return sorted(names)


class StoreParser(Parser):
    """ninja's JSON parser, refusing NUL and lone surrogates in any string or key."""

    def parse_body(self, request: HttpRequest) -> Any:
        data = json.loads(request.body)
        locations = list(unsafe_locations(data))
        if locations:
            raise UnsafeTextError(locations)
        return data

    def parse_querydict(
        self, data: MultiValueDict, list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        bad = [
            ("query",) if has_unsafe_text(name) else (name,)
            for name in data
            if has_unsafe_text(name) or any(map(_is_unsafe, data.getlist(name)))
        ]
        if bad:
            raise UnsafeTextError(bad)
        return super().parse_querydict(data, list_fields, request)
