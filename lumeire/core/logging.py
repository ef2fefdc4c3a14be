"""JSON log lines: one record per line, newlines escaped, so no input can forge a record."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from lumeire.core.request_context import current_request_id

_STANDARD_ATTRS = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "request_id"}

# json.dumps escapes control characters but, with ensure_ascii=False, writes these line breaks
# as they are; str.splitlines() and some log viewers would start a new record at each.
_UNICODE_LINE_BREAKS = str.maketrans(
    {"\u0085": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)


class RequestIdFilter(logging.Filter):
    """Stamp each record with the current request's id.

    A record that already names its request keeps it: the access-log line of a streamed answer
    is written after the request's own context has ended.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        named = getattr(record, "request_id", None)
        record.request_id = (
            named if isinstance(named, str) and named != "-" else (current_request_id.get())
        )
        return True


class JsonFormatter(logging.Formatter):
    """Format a record as one JSON object with a UTC ``ts`` ending in ``Z``."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", current_request_id.get()),
            "message": record.getMessage(),
        }
        for name, value in record.__dict__.items():
            if name not in _STANDARD_ATTRS and not name.startswith("_"):
                payload[name] = (
                    value if isinstance(value, str | int | float | bool) else repr(value)
                )
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        # json.dumps escapes CR and LF; the translation escapes the Unicode line breaks too, which
        # keeps a record on exactly one line.
        line = json.dumps(payload, ensure_ascii=False, default=str)
        return line.translate(_UNICODE_LINE_BREAKS)


class PrivateRequestFilter(logging.Filter):
    """Show a record's request (Django's own error records carry one) by its masked path only.

    Django logs "Internal Server Error: <path>" with the request attached; on an emailed link the
    path holds its secret, and the request's repr would print it again.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        from django.http import HttpRequest

        from lumeire.core.request_log import logged_path  # needs the URLconf: read at use

        request = getattr(record, "request", None)
        if not isinstance(request, HttpRequest):
            return True
        masked = logged_path(request)
        raw = request.path
        shown_as = {raw, raw.encode("unicode_escape").decode("ascii")}
        if isinstance(record.args, tuple):
            record.args = tuple(masked if arg in shown_as else arg for arg in record.args)
        record.request = f"{request.method} {masked}"
        return True
