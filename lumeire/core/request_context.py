"""The current request's id, for log records and error pages (never anything personal)."""

from __future__ import annotations

import contextvars

current_request_id: contextvars.ContextVar[str] = contextvars.ContextVar(
    "lumeire_request_id", default="-"
)
