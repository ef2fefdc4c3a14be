"""No card number and no security code anywhere: not in any table, not in any log line.

The card is entered through every door (the service, the card page, the API) and then used,
and the whole database is read back with raw SQL.
"""

from __future__ import annotations

import json
import logging
import sys
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.views.debug import ExceptionReporter

from lumeire.core.logging import JsonFormatter, RequestIdFilter
from lumeire.payments.gateway import card_gateway
from lumeire.payments.models import TestGatewayCard
from lumeire.payments.tests.cards import APPROVED, CVC, card_details, tokenised
from lumeire.payments.views import card_form

pytestmark = pytest.mark.django_db

SPELLINGS = (APPROVED, "4242 4242 4242 4242", "4242-4242-4242-4242")
PAGE = "/en/payments/test-gateway/card/?return_to=/en/checkout/payment/"
TOKENS = "/api/v1/payments/test-gateway/tokens"


class _Lines(logging.Handler):
    """Every record, formatted as the store writes it (message, extras and traceback)."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.setFormatter(JsonFormatter())
        self.addFilter(RequestIdFilter())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def log_lines():
    """Capture every logger, including those that do not propagate to the root.

    The SQL records this test forces (query timings are long random floats) are kept out of the
    session's log scan: they are this test's to check, here.
    """
    handler = _Lines()
    sql = logging.getLogger("django.db.backends")
    loggers = [logging.getLogger(), sql] + [
        logger
        for logger in logging.root.manager.loggerDict.values()
        if isinstance(logger, logging.Logger) and not logger.propagate and logger is not sql
    ]
    levels = [logger.level for logger in loggers]
    sql_propagates = sql.propagate
    sql.propagate = False
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
    yield handler.lines
    sql.propagate = sql_propagates
    for logger, level in zip(loggers, levels, strict=True):
        logger.removeHandler(handler)
        logger.setLevel(level)


def enter_the_card_everywhere() -> list[str]:
    """Tokenise 4242 4242 4242 4242 / CVC 123 by each door, use a token, refuse a typo."""
    tokens = [tokenised(number=APPROVED, cvc=CVC).token]
    page = Client().post(PAGE, card_details(number="4242 4242 4242 4242", cvc=CVC))
    assert page.status_code == 303
    tokens.append(page["Location"].rsplit("card_token=", 1)[1])
    api = Client().post(
        TOKENS,
        json.dumps(card_details(number="4242-4242-4242-4242", cvc=CVC)),
        content_type="application/json",
    )
    assert api.status_code == 201
    tokens.append(api.json()["card_token"])
    # Refusals of the same card: a wrong CVC length, an expiry in the past, a wrong token.
    assert Client().post(PAGE, card_details(number=APPROVED, cvc="12")).status_code == 400
    assert (
        Client()
        .post(TOKENS, json.dumps(card_details(exp_year="2001")), content_type="application/json")
        .status_code
        == 400
    )
    gateway = card_gateway()
    for token in tokens:
        answer = gateway.authorise(
            card_token=token, amount=Decimal("10.00"), currency="SAR", reference="LUM-1"
        )
        gateway.capture(authorisation=answer.reference, amount=Decimal("10.00"))
    return tokens


def _cells(table: str) -> list[tuple[str, object]]:
    quoted = connection.ops.quote_name(table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608 - a table name from introspection
        names = [column[0] for column in cursor.description]
        rows = cursor.fetchall()
    return [(name, value) for row in rows for name, value in zip(names, row, strict=True)]


def _text(value: object) -> str:
    if isinstance(value, bytes | memoryview):
        return bytes(value).decode("latin-1")
    return str(value)


def test_no_table_holds_the_card_number_or_a_column_for_the_cvc():
    enter_the_card_everywhere()

    tables = connection.introspection.table_names()
    assert "payments_testgatewaycard" in tables
    for table in tables:
        with connection.cursor() as cursor:
            columns = [
                c.name.lower()
                for c in connection.introspection.get_table_description(cursor, table)
            ]
        assert not [c for c in columns if any(w in c for w in ("cvc", "cvv", "csc", "pan"))]
        for column, value in _cells(table):
            text = _text(value)
            assert not any(spelling in text for spelling in SPELLINGS), (table, column)


def test_the_gateways_own_tables_hold_only_the_last_four_digits_and_no_cvc():
    enter_the_card_everywhere()

    for table in ("payments_testgatewaycard", "payments_testgatewaycharge"):
        for column, value in _cells(table):
            if column == "id":
                continue  # a row counter, which may well pass 123 in a long run
            text = _text(value)
            assert text != CVC and text != int(CVC), (table, column)
            assert "424242" not in text, (table, column)


def test_no_log_line_or_sql_parameter_carries_the_card_number_or_the_cvc(log_lines):
    with CaptureQueriesContext(connection) as queries:
        enter_the_card_everywhere()

    logged = "\n".join(log_lines)
    sql = "\n".join(query["sql"] for query in queries.captured_queries)
    assert queries.captured_queries and "payments_testgatewaycard" in sql
    assert any("django.db.backends" in line for line in log_lines), "SQL was logged"
    for spelling in SPELLINGS:
        assert spelling not in logged
        assert spelling not in sql
    assert f"'{CVC}'" not in sql and f'"{CVC}"' not in logged


def test_an_error_report_of_a_failure_mid_tokenising_hides_the_number_and_the_cvc(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(TestGatewayCard.objects, "create", broken)
    request = RequestFactory().post(PAGE, card_details(number="4242 4242 4242 4242", cvc=CVC))
    try:
        card_form(request)
    except RuntimeError:
        report = ExceptionReporter(request, *sys.exc_info()).get_traceback_data()
    else:
        pytest.fail("the failure did not happen")

    # What Django's error page and error emails would show: each frame's variables and the POST.
    frames = {frame["function"]: dict(frame["vars"]) for frame in report["frames"]}
    assert {"card_form", "card_tokenise"} <= set(frames)
    shown = repr(frames) + repr(report["filtered_POST_items"])
    for spelling in SPELLINGS:
        assert spelling not in shown
    assert f"'{CVC}'" not in shown
    assert "'********************'" in repr(frames["card_tokenise"]["number"])
