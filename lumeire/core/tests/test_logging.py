"""JSON log lines: one record per line, whatever the message holds, with the request id."""

import json
import logging
import sys

import pytest

from lumeire.core.logging import JsonFormatter, RequestIdFilter
from lumeire.core.request_context import current_request_id


def make_record(message: str, *args: object, **extra: object) -> logging.LogRecord:
    record = logging.getLogger("lumeire.test").makeRecord(
        "lumeire.test", logging.WARNING, __file__, 1, message, args, None, extra=extra or None
    )
    RequestIdFilter().filter(record)
    return record


@pytest.fixture
def request_id():
    token = current_request_id.set("req-0123456789abcdef")
    yield "req-0123456789abcdef"
    current_request_id.reset(token)


def test_record_is_one_json_object_with_a_utc_timestamp(request_id):
    line = JsonFormatter().format(make_record("order %s placed", "A-1001"))

    payload = json.loads(line)
    assert payload["ts"].endswith("Z")
    assert payload["level"] == "WARNING"
    assert payload["logger"] == "lumeire.test"
    assert payload["message"] == "order A-1001 placed"
    assert payload["request_id"] == "req-0123456789abcdef"


def test_record_outside_a_request_carries_a_placeholder_request_id():
    payload = json.loads(JsonFormatter().format(make_record("nightly purge finished")))

    assert payload["request_id"] == "-"


@pytest.mark.parametrize(
    "forged",
    [
        'login failed\n{"level": "INFO", "message": "admin signed in"}',
        "login failed\r\nINFO admin signed in",
        "login failed\rINFO admin signed in",
        "login failed\u2028INFO admin signed in",
        "login failed\u2029INFO admin signed in",
        "login failed\x85INFO admin signed in",
        "login failed\x0bINFO\x0cadmin\x1csigned\x1din\x1e",
    ],
)
def test_line_breaks_in_a_message_cannot_forge_a_second_record(forged, request_id):
    line = JsonFormatter().format(make_record("%s", forged))

    assert line.splitlines() == [line]
    assert "\n" not in line
    assert "\r" not in line
    assert json.loads(line)["message"] == forged


def test_line_breaks_in_extra_fields_stay_on_one_line():
    line = JsonFormatter().format(make_record("refused", reason="bad\ninput", attempts=3))

    assert line.splitlines() == [line]
    payload = json.loads(line)
    assert payload["reason"] == "bad\ninput"
    assert payload["attempts"] == 3


def test_exception_traceback_stays_on_one_line():
    try:
        raise ValueError("broken\nstate")
    except ValueError:
        record = logging.getLogger("lumeire.test").makeRecord(
            "lumeire.test", logging.ERROR, __file__, 1, "failed", (), sys.exc_info()
        )

    line = JsonFormatter().format(record)

    assert line.splitlines() == [line]
    payload = json.loads(line)
    assert payload["exception"].startswith("Traceback (most recent call last):")
    assert payload["exception"].endswith("ValueError: broken\nstate")


def test_arabic_text_is_kept_readable():
    line = JsonFormatter().format(make_record("مرحبا"))

    assert "مرحبا" in line
    assert json.loads(line)["message"] == "مرحبا"
