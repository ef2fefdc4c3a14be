"""In a real browser: a Customer service staff member signs in with password and a one-time
code, finds a customer by exact email, sees masked values, reveals the email with a reason;
then that customer signs in to the shop and finds the look on "who looked at my data"."""

from __future__ import annotations

import time
from dataclasses import dataclass

import pyotp
import pytest

from lumeire.accounts.tests.factories import PASSWORD, make_customer
from lumeire.backoffice.tests.factories import STAFF_PASSWORD, enrol_two_factor, make_staff
from lumeire.privacy.selectors import viewer_ref

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMAIL = "nadia.reveal@example.com"
REASON = "The customer called to confirm the address our emails go to."


@dataclass(frozen=True)
class Cast:
    staff_username: str
    secret: str
    staff_ref: str


@pytest.fixture
def cast(transactional_db) -> Cast:
    """Made before the browser starts: Playwright's event loop forbids database work."""
    make_customer(username="nadia", email=EMAIL, full_name="Nadia Al-Otaibi")
    agent = make_staff(groups=["Customer service"], username="rana")
    secret = enrol_two_factor(agent)
    return Cast(staff_username="rana", secret=secret, staff_ref=viewer_ref(agent.pk))


def one_time_code(secret: str) -> str:
    """The code an authenticator app shows for the next 30-second step: enrolment used this one,
    and a code is accepted once; the store allows one step of clock drift."""
    totp = pyotp.TOTP(secret)
    return totp.at(time.time() + totp.interval)


def test_a_reveal_by_customer_service_shows_on_the_customers_access_log(live_server, cast, browser):
    site = live_server.url
    staff = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 800})
    page = staff.new_page()

    # Password, then the one-time code.
    page.goto(f"{site}/backoffice/login/")
    page.get_by_label("Username or email").fill(cast.staff_username)
    page.get_by_label("Password", exact=True).fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_label("Code from your authenticator app, or a recovery code").fill(
        one_time_code(cast.secret)
    )
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{site}/backoffice/")

    # Find the customer by exact email: the result list shows masked values only.
    page.goto(f"{site}/backoffice/accounts/customer/")
    page.get_by_label("Find a customer").fill(EMAIL)
    with page.expect_navigation():  # wait for the results page to load, not only to start
        page.get_by_role("button", name="Search").click()
    found = page.locator("#customers-found tbody tr")
    assert found.count() == 1
    assert found.locator("td").nth(0).inner_text().strip() == "N*** A***"
    assert found.locator("td").nth(1).inner_text().strip() == "n***@example.com"
    assert EMAIL not in page.content()
    assert "/backoffice/accounts/customer/search/" in page.url and "nadia" not in page.url

    # The customer's page: every value masked, a Reveal link beside the email.
    found.get_by_role("link", name="N*** A***").click()
    page.wait_for_url(f"{site}/backoffice/accounts/customer/*/change/")
    email_row = page.locator("#customer-masked dt:text-is('Email') + dd")
    assert email_row.locator(".backoffice-masked").inner_text() == "n***@example.com"
    assert EMAIL not in page.content()
    assert "Nadia" not in page.content()

    # Reveal the email with a reason: shown on that page only.
    email_row.get_by_role("link", name="Reveal").click()
    page.get_by_label("Reason").select_option(label="Order support")
    page.get_by_label("Explain why").fill(REASON)
    page.get_by_role("button", name="Reveal").click()
    assert page.locator("#revealed-values dd").inner_text().strip() == EMAIL
    staff.close()

    # The customer signs in to the shop and finds the look on "who looked at my data".
    shopper = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 800})
    page = shopper.new_page()
    page.goto(f"{site}/en/account/sign-in/")
    page.get_by_label("Username or email").fill("nadia")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{site}/en/account/")
    page.get_by_role("link", name="See each time a staff member saw your details in full").click()
    page.wait_for_url(f"{site}/en/account/access-log/")

    assert page.get_by_role("heading", level=1).inner_text().strip() == "Who looked at my data"
    (row,) = page.locator("tr[data-access]").all()
    assert row.locator("[data-viewer-role]").inner_text() == "Customer service"
    assert row.locator("[data-viewer-ref]").inner_text() == f"Staff {cast.staff_ref}"
    assert row.locator("[data-fields]").inner_text() == "Email address"
    assert row.locator("[data-reason]").inner_text() == "Order support"
    # Neither the staff member's name nor the reason's own words reach the customer.
    assert "rana" not in page.content()
    assert REASON not in page.content()
    shopper.close()
