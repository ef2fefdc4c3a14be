"""In a real browser: a shopper tries declined test cards again and again, which opens a case; a
compliance officer reviews it and asks the legal department; a different legal counsel approves a
report holding identity data only; the report downloads, and the audit log shows every step."""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from pathlib import Path

import pyotp
import pytest

from lumeire.accounts.tests.factories import PASSWORD, identity_number, make_customer
from lumeire.backoffice.tests.factories import enrol_two_factor
from lumeire.catalog.tests.factories import make_category, make_product
from lumeire.compliance.tests.factories import (
    STAFF_PASSWORD,
    make_compliance_officer,
    make_legal_counsel,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DECLINED = "4000 0000 0000 0002"
IDENTITY_NUMBER = identity_number(987_654)
SUMMARY = "Four declined cards in a few minutes on one account: the pattern of card testing."
OPINION = "Reportable as attempted card fraud; the authority needs the identity data only."


@dataclass(frozen=True)
class Cast:
    officer: str
    officer_secret: str
    counsel: str
    counsel_secret: str
    customer_email: str


@pytest.fixture
def cast(settings, tmp_path, transactional_db) -> Cast:
    """Made before the browser starts: Playwright's event loop forbids database work."""
    settings.MEDIA_ROOT = tmp_path / "media"
    make_product(
        category=make_category("home", name_en="Home", name_ar="المنزل"),
        slug="brass-table-lamp",
        name_en="Brass table lamp",
        name_ar="مصباح نحاسي",
        variants=[{"sku": "LAMP", "price": "80.00", "stock": 7}],
    )
    make_customer(username="karim", email="karim@example.com", identity_number=IDENTITY_NUMBER)
    officer = make_compliance_officer(username="maha")
    counsel = make_legal_counsel(username="faisal")
    return Cast(
        officer="maha",
        officer_secret=enrol_two_factor(officer),
        counsel="faisal",
        counsel_secret=enrol_two_factor(counsel),
        customer_email="karim@example.com",
    )


def one_time_code(secret: str) -> str:
    """The next step's code: enrolment used the current one, and each code works once."""
    totp = pyotp.TOTP(secret)
    return totp.at(time.time() + totp.interval)


def staff_sign_in(browser, site: str, username: str, secret: str):
    context = browser.new_context(
        locale="en-GB", viewport={"width": 1280, "height": 900}, accept_downloads=True
    )
    page = context.new_page()
    page.goto(f"{site}/backoffice/login/")
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password", exact=True).fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_label("Code from your authenticator app, or a recovery code").fill(
        one_time_code(secret)
    )
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{site}/backoffice/")
    return page


def try_declined_cards(page, site: str, times: int) -> None:
    page.goto(f"{site}/en/account/sign-in/")
    page.get_by_label("Username or email").fill("karim")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{site}/en/account/")
    page.goto(f"{site}/en/p/brass-table-lamp/")
    page.get_by_role("button", name="Add to cart").click()
    # The cart drawer opens over the page; its link leads to the cart.
    page.get_by_role("dialog", name="Added to your cart").get_by_role(
        "link", name="View cart"
    ).click()
    page.wait_for_url(f"{site}/en/cart/")
    page.get_by_role("main").get_by_role("link", name="Checkout").click()
    page.get_by_label("Full name of the recipient").fill("Karim Haddad")
    page.get_by_label("Mobile number").fill("0501234567")
    page.get_by_label("City").fill("Riyadh")
    page.get_by_label("District").fill("Al Olaya")
    page.get_by_label("Street").fill("King Fahd Road")
    page.get_by_label("Building number").fill("7421")
    page.get_by_label("Postal code").fill("12214")
    page.get_by_role("button", name="Continue to delivery").click()
    page.get_by_role("button", name="Continue to review").click()
    page.get_by_role("link", name="Continue to payment").click()
    page.wait_for_url(f"{site}/en/checkout/payment/")
    for _attempt in range(times):
        # After a decline the page asks for card details again (the refused card is forgotten).
        page.get_by_role("link", name="Enter card details").click()
        page.get_by_label("Card number").fill(DECLINED)
        page.get_by_label("Expiry month (MM)").fill("12")
        page.get_by_label("Expiry year (YY or YYYY)").fill("2030")
        page.get_by_label("Security code (CVC)").fill("123")
        page.get_by_role("button", name="Use this card").click()
        page.wait_for_url(f"{site}/en/checkout/payment/")
        page.get_by_role("button", name="Place order").click()
        page.get_by_text("Your card was declined. No money was taken").wait_for()


def test_card_testing_opens_a_case_that_is_reported_only_after_legal_approval(
    live_server, cast, browser
):
    site = live_server.url
    shopper = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    try_declined_cards(shopper.new_page(), site, times=4)

    # The compliance officer finds the case the declined cards opened.
    officer = staff_sign_in(browser, site, cast.officer, cast.officer_secret)
    officer.goto(f"{site}/backoffice/compliance/case/")
    rows = officer.locator("#cases tbody tr")
    assert rows.count() == 1
    assert "Many declined cards on one account" in rows.first.inner_text()
    assert cast.customer_email not in officer.content()
    rows.first.get_by_role("link").first.click()
    officer.wait_for_url(re.compile(r"/backoffice/compliance/case/\d+/$"))
    reference = re.search(r"CASE-\d{6}", officer.content()).group(0)
    assert IDENTITY_NUMBER not in officer.content()

    officer.get_by_role("button", name="Start the review").click()
    officer.get_by_label("Summary for the legal department (at least 20 characters)").fill(SUMMARY)
    officer.get_by_role("button", name="Ask the legal department").click()
    officer.get_by_text("Legal consultation requested.").wait_for()
    # The officer cannot approve their own request: no decision form is offered.
    assert officer.locator("#legal-decision-form").count() == 0

    # A legal counsel, another person, approves a report with identity data only.
    counsel = staff_sign_in(browser, site, cast.counsel, cast.counsel_secret)
    counsel.goto(officer.url)
    counsel.get_by_label("Approve the report to the authorities").check()
    counsel.get_by_label("Written opinion (at least 20 characters)").fill(OPINION)
    counsel.locator("#report-items input[value='identity']").check()
    counsel.get_by_role("button", name="Record the decision").click()
    counsel.get_by_text("Decision recorded").wait_for()

    # The officer generates the report and downloads both files.
    officer.reload()
    officer.get_by_role("button", name="Generate the report").click()
    officer.get_by_text("Report generated: JSON, PDF.").wait_for()
    with officer.expect_download() as json_download:
        officer.locator("#report-files a", has_text=".json").first.click()
    report = json.loads(Path(json_download.value.path()).read_text(encoding="utf-8"))
    assert json_download.value.suggested_filename == f"{reference}-report.json"
    assert IDENTITY_NUMBER in json.dumps(report, ensure_ascii=False)
    assert cast.customer_email not in json.dumps(report, ensure_ascii=False)
    with officer.expect_download() as pdf_download:
        officer.locator("#report-files a", has_text=".pdf").first.click()
    assert Path(pdf_download.value.path()).read_bytes().startswith(b"%PDF")

    # Every step is in the audit log.
    officer.goto(f"{site}/backoffice/audit/auditentry/?q={reference}")
    log = officer.locator("#result_list").inner_text()
    for action in (
        "Irregular-activity case opened",
        "Case viewed",
        "Case changed",
        "Legal consultation requested",
        "Legal decision on a case",
    ):
        assert action in log, action
    officer.goto(f"{site}/backoffice/audit/auditentry/?action__exact=report_generated")
    assert officer.locator("#result_list tbody tr").count() == 2
    officer.goto(f"{site}/backoffice/audit/auditentry/?action__exact=report_downloaded")
    assert officer.locator("#result_list tbody tr").count() == 2
