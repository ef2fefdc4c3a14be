"""In a real browser, without an account: a shopper continues as a guest, gives only an email
and the delivery details, pays cash on delivery, then opens the order by its link in another
browser, cancels it after confirming, and asks for the link again on "Find my order"."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from lumeire.catalog.tests.factories import make_lamp_shelf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ORDER_NUMBER = re.compile(r"LUM-[0-9A-Z]{4}-[0-9A-Z]{4}")


@pytest.fixture
def store(settings, tmp_path, transactional_db):
    """Made before the browser starts: Playwright's event loop forbids database work."""
    settings.MEDIA_ROOT = tmp_path / "media"
    make_lamp_shelf()


def heading(page) -> str:
    return page.get_by_role("heading", level=1).inner_text().strip()


def test_a_guest_buys_then_reaches_and_cancels_the_order_by_its_link(
    live_server, store, page, browser
):
    site = live_server.url

    page.goto(f"{site}/en/p/brass-table-lamp/")
    page.get_by_role("button", name="Add to cart").first.click()
    # With scripts the cart opens beside the page; either way the count says it is in.
    expect(page.locator("[data-cart-count]").first).to_have_text("1")
    page.goto(f"{site}/en/cart/")
    page.locator("[data-checkout-guest]").first.click()
    page.wait_for_url(f"{site}/en/checkout/address/")
    page.goto(f"{site}/en/checkout/")
    assert heading(page) == "How would you like to check out?"
    page.get_by_role("button", name="Continue as guest").click()

    page.wait_for_url(f"{site}/en/checkout/address/")
    assert page.locator("input[name=date_of_birth], input[name=identity_number]").count() == 0
    assert page.locator("input[type=password]").count() == 0
    page.get_by_label("Email address").fill("guest.buyer@example.com")
    page.get_by_label("Full name of the recipient").fill("Huda Al-Shehri")
    page.get_by_label("Mobile number").fill("0501234567")
    page.get_by_label("City").fill("Jeddah")
    page.get_by_label("District").fill("Al Rawdah")
    page.get_by_label("Street").fill("Prince Sultan Street")
    page.get_by_label("Building number").fill("3120")
    page.get_by_label("Postal code").fill("23435")
    page.get_by_role("button", name="Continue to delivery").click()

    page.wait_for_url(f"{site}/en/checkout/delivery/")
    page.get_by_role("button", name="Continue to review").click()
    page.wait_for_url(f"{site}/en/checkout/review/")
    assert page.locator("[data-guest-email]").inner_text() == "guest.buyer@example.com"
    page.get_by_role("link", name="Continue to payment").click()
    page.wait_for_url(f"{site}/en/checkout/payment/")
    page.get_by_role("button", name="Place order").click()

    page.wait_for_url(re.compile(r"/en/orders/LUM-[0-9A-Z]{4}-[0-9A-Z]{4}/placed/$"))
    assert heading(page) == "Thank you for your order"
    number = page.locator("[data-order-number]").inner_text()
    assert ORDER_NUMBER.fullmatch(number)
    link = page.locator("[data-guest-link]").input_value()
    assert f"/en/orders/{number}/link/" in link

    # Later, in another browser, with the link only.
    later = browser.new_context(locale="en-GB", viewport={"width": 390, "height": 844})
    phone = later.new_page()
    # The link names the configured site address; the test server listens elsewhere.
    phone.goto(site + re.sub(r"^https?://[^/]+", "", link))
    phone.wait_for_url(f"{site}/en/orders/{number}/guest/")
    assert phone.locator("[data-order-status]").inner_text() == "Pending payment"
    phone.get_by_role("link", name="Cancel the order").click()
    phone.wait_for_url(f"{site}/en/orders/{number}/guest/cancel/")
    phone.get_by_role("button", name="Yes, cancel the order").click()
    phone.wait_for_url(f"{site}/en/orders/{number}/guest/")
    assert phone.locator("[data-order-status]").inner_text() == "Cancelled"

    # "Find my order" answers without saying whether the order exists.
    phone.goto(f"{site}/en/orders/find/")
    phone.get_by_label("Order number").fill(number)
    phone.get_by_label("Email address").fill("someone.else@example.com")
    phone.get_by_role("button", name="Email me the link").click()
    assert heading(phone) == "Check your email"
    later.close()
