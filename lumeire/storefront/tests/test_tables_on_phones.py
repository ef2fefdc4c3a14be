"""Tables never scroll sideways unseen on a phone: every table of the account pages and the
invoice reflows into stacked rows, each cell labelled by its column's own header words."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from lumeire.accounts.tests.factories import make_customer
from lumeire.accounts.tests.web_sign_in import signed_in_client
from lumeire.audit.models import AuditAction, RevealReason
from lumeire.audit.services import audit_record
from lumeire.checkout.tests.order_factories import place_order
from lumeire.core.tests.markup import Element, parse
from lumeire.orders.services import order_cancel_by_customer
from lumeire.staff.services import staff_create

pytestmark = pytest.mark.django_db

STATIC = Path(settings.BASE_DIR) / "lumeire"
SITE_CSS = STATIC / "storefront" / "static" / "storefront" / "site.css"
INVOICE_CSS = STATIC / "invoicing" / "static" / "invoicing" / "invoice.css"
STACKING = ("table-stack", "invoice__lines--stack")
ARABIC_REASON = "اتصل العميل بخصوص تأخر التوصيل وطلب تغيير موعد التسليم إلى يوم الخميس القادم"


def _text(element: Element) -> str:
    return (element.text + "".join(_text(child) for child in element.children)).strip()


def _headers(table: Element) -> list[str]:
    heads = table.find_all("thead")
    return [_text(th) for th in heads[0].find_all("th")] if heads else []


def _check_tables(html: str) -> int:
    """Every table stacks; every filled data cell names a column header; returns the count."""
    tables = parse(html).find_all("table")
    for table in tables:
        classes = table.attrs.get("class", "").split()
        assert any(name in classes for name in STACKING), table.attrs
        headers = " ".join(_headers(table))
        for body in table.find_all("tbody"):
            for cell in body.find_all("td"):
                if not _text(cell) and not cell.children:
                    continue
                label = cell.attrs.get("data-label", "")
                assert label, (table.attrs, _text(cell))
                assert label in headers, (label, headers)
    return len(tables)


@pytest.fixture
def customer_pages():
    customer = make_customer(username="layla", email="layla@example.com", language="ar")
    order = place_order(customer=customer)
    order_cancel_by_customer(customer=customer, order=place_order(customer=customer))
    agent = staff_create(
        username="agent.tables",
        email="agent.tables@staff.example.com",
        password="a long staff password for tests",
        groups=["Customer service"],
    )
    audit_record(
        actor=agent,
        action=AuditAction.REVEAL,
        target_type="accounts.user",
        target_id=str(customer.pk),
        subject_id=customer.pk,
        fields=["email"],
        reason_category=RevealReason.ORDER_SUPPORT,
        reason=ARABIC_REASON,
    )
    return signed_in_client("layla"), order


@pytest.mark.parametrize("prefix", ["/en", "/ar"])
def test_every_account_table_and_the_invoice_stack_with_labelled_cells(customer_pages, prefix):
    client, order = customer_pages
    pages = [
        f"{prefix}/account/orders/",
        f"{prefix}/account/orders/{order.number}/",
        f"{prefix}/account/orders/{order.number}/invoice/",
        f"{prefix}/account/access-log/",
        f"{prefix}/account/my-data/",
        f"{prefix}/privacy/cookies/",
    ]
    counted = 0
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        counted += _check_tables(response.content.decode())
    assert counted >= len(pages)


def test_the_arabic_reason_is_labelled_and_wraps(customer_pages):
    client, _order = customer_pages
    page = parse(client.get("/ar/account/access-log/").content.decode())
    [reason] = [cell for cell in page.find_all("td") if "data-reason" in cell.attrs]
    assert _text(reason)  # the reason as the customer reads it, in Arabic
    assert reason.attrs["data-label"] == "السبب"
    css = SITE_CSS.read_text(encoding="utf-8")
    block = css[css.index("/* --- Tables on phones") :]
    # Cells wrap anywhere (no cut-off), and on a phone rows stack with the label before the value.
    assert re.search(r"\.table-stack td,\s*\.table-stack th \{\s*overflow-wrap: anywhere;", block)
    assert "@media (max-width: 40rem)" in block and "content: attr(data-label)" in block
    assert "white-space: normal" in block


def test_the_invoice_line_table_is_a_focusable_region_and_stacks_on_phones(customer_pages):
    client, order = customer_pages
    page = parse(client.get(f"/ar/account/orders/{order.number}/invoice/").content.decode())
    [region] = [
        div for div in page.find_all("div") if "invoice__scroll" in div.attrs.get("class", "")
    ]
    assert region.attrs["role"] == "region" and region.attrs["tabindex"] == "0"
    assert region.attrs["aria-labelledby"]
    css = INVOICE_CSS.read_text(encoding="utf-8")
    assert ".invoice__lines--stack td[data-label]::before" in css
    assert "content: attr(data-label)" in css
