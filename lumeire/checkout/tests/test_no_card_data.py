"""After a whole card checkout, no table and no log line holds the card number or its CVC.

The card goes in through the test gateway's page, its API and its service, a declined card and
a mistyped one are tried too, an order is placed, paid and cancelled (so refunded); then every
table is read back with raw SQL, and every log record and every SQL statement (with its
parameters) of the flow is searched.

The statements are recorded by an execute wrapper rather than by Django's DEBUG query log: the
log's "duration" figures are runs of digits that pass the Luhn check by chance, and the
session's log scan would take them for card numbers.
"""

from __future__ import annotations

import json
import logging
import re

import pytest
from django.db import connection
from django.test import Client

from lumeire.accounts.tests.factories import make_customer
from lumeire.checkout.errors import PaymentDeclined
from lumeire.checkout.tests.factories import (
    APPROVED_CARD,
    CARD_CVC,
    DECLINED_CARD,
    card_token,
    fill_cart,
    place,
    shelf_variant,
)
from lumeire.core.logging import JsonFormatter, RequestIdFilter
from lumeire.core.tests.logscan import scan
from lumeire.orders.services import order_cancel_by_customer
from lumeire.payments.errors import PaymentError
from lumeire.payments.services import card_tokenise

pytestmark = pytest.mark.django_db

CARD_NUMBER = re.compile(r"4242[ -]?4242[ -]?4242[ -]?4242")
# The CVC on its own, not as four digits inside a longer number, hash or ciphertext.
CVC_ALONE = re.compile(rf"(?<![0-9A-Za-z]){CARD_CVC}(?![0-9A-Za-z])")
CARD = {"exp_month": "12", "exp_year": "2030", "cvc": CARD_CVC}


class Records(logging.Handler):
    """Every record of every logger, as the store writes it."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.setFormatter(JsonFormatter())
        self.addFilter(RequestIdFilter())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def log_lines():
    handler = Records()
    loggers = [logging.getLogger()]
    loggers += [
        logger
        for logger in logging.root.manager.loggerDict.values()
        if isinstance(logger, logging.Logger) and not logger.propagate
    ]
    levels = {logger: logger.level for logger in loggers}
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
    yield handler.lines
    for logger, level in levels.items():
        logger.removeHandler(handler)
        logger.setLevel(level)


def every_stored_text() -> list[tuple[str, str]]:
    """``(table, value)`` for every non-empty value of every table, bytes read as Latin-1."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                for value in row:
                    if value is None:
                        continue
                    if isinstance(value, bytes | memoryview | bytearray):
                        text = bytes(value).decode("latin-1")
                    elif isinstance(value, dict | list):
                        text = json.dumps(value)
                    else:
                        text = str(value)
                    found.append((table, text))
    return found


class Statements:
    """Every SQL statement run on the connection, with its parameters, as text."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def __call__(self, execute, sql, params, many, context):
        self.seen.append(f"{sql} {params!r}")
        return execute(sql, params, many, context)


def the_whole_card_flow(mailoutbox) -> None:
    customer = make_customer()
    variant = shelf_variant(price="75.00", stock=4)
    mailoutbox.clear()
    typed = {"number": "4242 4242 4242 4242", **CARD}
    page = Client().post("/en/payments/test-gateway/card/?return_to=/en/checkout/payment/", typed)
    assert page.status_code == 303
    api = Client().post(
        "/api/v1/payments/test-gateway/tokens",
        json.dumps({**typed, "number": "4242-4242-4242-4242"}),
        content_type="application/json",
    )
    assert api.status_code == 201
    with pytest.raises(PaymentError):
        card_tokenise(number="4242424242424241", **CARD)  # one digit wrong: refused
    fill_cart(customer, [(variant, 2)])
    with pytest.raises(PaymentDeclined):
        place(customer, pay="card", token=card_token(DECLINED_CARD))

    order = place(customer, pay="card", token=card_token(APPROVED_CARD)).order
    order_cancel_by_customer(customer=customer, order=order)

    assert order.card_last4 == "4242"


def test_no_table_and_no_log_line_holds_the_card_number_or_the_cvc(
    log_lines, mailoutbox, django_capture_on_commit_callbacks
):
    statements = Statements()
    with connection.execute_wrapper(statements), django_capture_on_commit_callbacks(execute=True):
        the_whole_card_flow(mailoutbox)

    stored = every_stored_text()
    assert any(table == "orders_order" for table, _text in stored), "the tables were read"
    assert [table for table, text in stored if CARD_NUMBER.search(text)] == []
    assert [table for table, text in stored if CVC_ALONE.search(text)] == []
    assert any("4242" in text for table, text in stored if table == "orders_order")  # last four
    assert len(statements.seen) > 50 and log_lines, "the flow's SQL and logs were seen"
    said = [*log_lines, *statements.seen]
    assert [line for line in said if CARD_NUMBER.search(line)] == []
    assert [line for line in said if CVC_ALONE.search(line)] == []
    assert scan(log_lines, {}) == []  # no name, email, identity or card number either
    emails = [f"{m.subject}\n{m.body}" for m in mailoutbox]
    assert len(emails) == 2  # confirmed, then cancelled
    assert not any(CARD_NUMBER.search(text) or CVC_ALONE.search(text) for text in emails)
