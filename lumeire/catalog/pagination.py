"""Opaque cursors: where the previous page ended, so walking every page never repeats or skips."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any


class BadCursor(ValueError):
    """The cursor was not made by this store (or was altered)."""


def encode_cursor(values: dict[str, Any]) -> str:
    raw = json.dumps(values, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> dict[str, Any] | None:
    if not cursor:
        return None
    if len(cursor) > 500:
        raise BadCursor(cursor)
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise BadCursor(cursor) from None
    if not isinstance(values, dict):
        raise BadCursor(cursor)
    return values
