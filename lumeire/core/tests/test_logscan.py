"""The session log scan finds each kind of personal value, masked, and ignores random ids."""

from __future__ import annotations

import json

from lumeire.core.tests.logscan import scan

SECRETS = {"the factories' PASSWORD": "correct horse battery staple"}


def line(message: str, **extra: object) -> str:
    record = {"ts": "2026-11-25T10:00:00.000000Z", "logger": "shop", "request_id": "-"}
    return json.dumps({**record, "message": message, **extra}, ensure_ascii=False)


def kinds(*lines: str) -> dict[str, str]:
    return {finding.kind: finding.sample for finding in scan(lines, SECRETS)}


def test_each_kind_of_personal_value_is_found_and_shown_masked():
    found = kinds(
        line("password was Correct Horse Battery Staple"),
        line("mail to", to="Customer7@Example.com"),
        line("hello Aisha"),
        line("national id 1000000008 refused"),
        line("paid", pan="4242 4242 4242 4242"),
    )

    assert found == {
        "the factories' PASSWORD": "co************************le",
        "an @example.com email": "cu*****************om",
        'the name "Aisha"': "*****",
        "a 10-digit identity number": "10******08",
        "a Luhn-valid card number": "42************42",
    }


def test_random_ids_and_ordinary_numbers_are_not_findings():
    found = kinds(
        line("ok", request_id="4242424242424242", client_ref="1000000008abcdef"),
        line("user 12345678-1234-1234-1234-123456789012 signed in"),
        line("order 4242424242424241 shipped"),  # fails the Luhn check
        line("took 12345678901 ms"),  # 11 digits, not an identity number
        line("not json at all, but clean"),
    )

    assert found == {}


def test_lines_that_are_not_json_are_still_scanned():
    assert "an @example.com email" in kinds("plain text from someone@example.com")
