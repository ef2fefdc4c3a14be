"""Tables fit their screens: the audit log at 1366 px beside its filters, and the account's
tables on a 390 px phone in Arabic, with no sideways scroll of the page."""

from __future__ import annotations

import time

import pyotp
import pytest

from lumeire.accounts.tests.factories import PASSWORD, make_customer
from lumeire.audit.models import AuditAction, RevealReason
from lumeire.audit.services import audit_record
from lumeire.backoffice.tests.factories import STAFF_PASSWORD, enrol_two_factor, make_staff
from lumeire.checkout.tests.order_factories import place_order
from lumeire.orders.services import order_cancel_by_customer

pytestmark = pytest.mark.browser

PAGE_WIDTH = "document.documentElement.scrollWidth"
# Boxes holding a table that scroll sideways: what the shopper or the staff member would have to
# scroll to read a row (a closed menu drawer, which holds no table, is not one).
TABLE_SCROLLERS = """[...document.querySelectorAll('*')].filter(e => e.querySelector('table')
  && e.scrollWidth > e.clientWidth + 1
  && ['auto', 'scroll'].includes(getComputedStyle(e).overflowX))
  .map(e => (e.id || e.className || e.tagName) + ' ' + e.scrollWidth + '/' + e.clientWidth)"""


@pytest.fixture
def records(settings, tmp_path, transactional_db):
    settings.MEDIA_ROOT = tmp_path / "media"
    customer = make_customer(username="salma", email="salma@example.com", language="ar")
    order = place_order(customer=customer)
    order_cancel_by_customer(customer=customer, order=place_order(customer=customer))
    owner = make_staff(groups=["Owner"])
    for _ in range(30):
        audit_record(
            actor=owner,
            action=AuditAction.REVEAL,
            target_type="accounts.user",
            target_id=str(customer.pk),
            subject_id=customer.pk,
            fields=["email", "phone", "full_name", "identity_number"],
            reason_category=RevealReason.ORDER_SUPPORT,
            reason="اتصل العميل بخصوص تأخر التوصيل وطلب تغيير موعد التسليم",
        )
    return owner, enrol_two_factor(owner), order


def _code(secret: str) -> str:
    totp = pyotp.TOTP(secret)
    return totp.at(time.time() + totp.interval)


def test_the_audit_log_fits_1366_px(records, browser, live_server):
    owner, secret, _order = records
    context = browser.new_context(locale="en-GB", viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.goto(f"{live_server.url}/backoffice/login/")
    page.get_by_label("Username or email").fill(owner.get_username())
    page.get_by_label("Password", exact=True).fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_label("Code from your authenticator app, or a recovery code").fill(_code(secret))
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/backoffice/")

    page.goto(f"{live_server.url}/backoffice/audit/auditentry/")
    assert page.locator("#result_list tbody tr").count() >= 30
    assert page.evaluate(PAGE_WIDTH) <= 1366
    assert page.evaluate(TABLE_SCROLLERS) == []  # was "results 1210/717": the table scrolled
    # A cut value keeps its whole text in the page and in its title.
    long = page.locator("#result_list .backoffice-long").first
    assert long.get_attribute("title") == long.text_content()
    context.close()


@pytest.mark.parametrize("language", ["ar", "en"])
def test_account_tables_fit_a_phone(records, browser, live_server, language):
    _owner, _secret, order = records
    context = browser.new_context(locale="ar", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{live_server.url}/en/account/sign-in/")
    page.get_by_label("Username or email").fill("salma")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/en/account/")
    for path in (
        "account/orders/",
        f"account/orders/{order.number}/",
        f"account/orders/{order.number}/invoice/",
        "account/access-log/",
        "account/my-data/",
        "privacy/cookies/",
    ):
        page.goto(f"{live_server.url}/{language}/{path}")
        assert page.evaluate(PAGE_WIDTH) <= 390, path
        assert page.evaluate(TABLE_SCROLLERS) == [], path  # was e.g. "table-scroll 568/358"
    # The Arabic reason wraps inside its card: its cell is no wider than the screen.
    page.goto(f"{live_server.url}/{language}/account/access-log/")
    box = page.locator("td[data-reason]").first.bounding_box()
    assert box is not None and box["width"] <= 390
    context.close()
