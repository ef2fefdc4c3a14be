"""In a real browser: a customer signs in, puts two products in the cart, checks out paying by
card on the test gateway's own page, sees the order number, finds the order in My orders and
downloads its invoice as a PDF."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lumeire.accounts.tests.factories import PASSWORD, make_customer
from lumeire.catalog.tests.factories import make_lamp_shelf, make_product

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ORDER_NUMBER = re.compile(r"LUM-[0-9A-Z]{4}-[0-9A-Z]{4}")


@pytest.fixture
def store(settings, tmp_path, transactional_db):
    """Made before the browser starts: Playwright's event loop forbids database work."""
    settings.MEDIA_ROOT = tmp_path / "media"
    home = make_lamp_shelf()
    make_product(
        category=home,
        slug="glass-vase",
        name_en="Glass vase",
        name_ar="مزهرية زجاج",
        variants=[{"sku": "VASE", "price": "200.00", "stock": 3}],
    )
    return make_customer(username="huda", email="huda@example.com")


def heading(page) -> str:
    return page.get_by_role("heading", level=1).inner_text().strip()


def test_a_customer_pays_by_card_sees_the_order_and_downloads_its_invoice(live_server, store, page):
    site = live_server.url

    page.goto(f"{site}/en/account/sign-in/")
    page.get_by_label("Username or email").fill("huda")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{site}/en/account/")

    for slug in ("brass-table-lamp", "glass-vase"):
        page.goto(f"{site}/en/p/{slug}/")
        page.get_by_role("button", name="Add to cart").click()
        # The cart drawer opens over the page; its link leads to the cart.
        page.get_by_role("dialog", name="Added to your cart").get_by_role(
            "link", name="View cart"
        ).click()
        page.wait_for_url(f"{site}/en/cart/")
    # 80.00 + 200.00 before VAT: 322.00 with it, enough for free standard delivery.
    assert page.locator("[data-cart-total]").inner_text() == "322.00\u00a0SAR"

    page.get_by_role("main").get_by_role("link", name="Checkout").click()
    page.wait_for_url(f"{site}/en/checkout/address/")
    page.get_by_label("Full name of the recipient").fill("Huda Al-Shehri")
    page.get_by_label("Mobile number").fill("0501234567")
    page.get_by_label("City").fill("Jeddah")
    page.get_by_label("District").fill("Al Rawdah")
    page.get_by_label("Street").fill("Prince Sultan Street")
    page.get_by_label("Building number").fill("3120")
    page.get_by_label("Postal code").fill("23435")
    page.get_by_role("button", name="Continue to delivery").click()

    page.wait_for_url(f"{site}/en/checkout/delivery/")
    assert page.locator("[data-shipping-price]").first.inner_text() == "Free"
    page.get_by_role("button", name="Continue to review").click()
    page.wait_for_url(f"{site}/en/checkout/review/")
    assert page.locator("[data-checkout-total]").inner_text() == "322.00\u00a0SAR"
    page.get_by_role("link", name="Continue to payment").click()

    page.wait_for_url(f"{site}/en/checkout/payment/")
    page.get_by_role("link", name="Enter card details").click()
    page.wait_for_url(re.compile(r"/en/payments/test-gateway/card/\?return_to="))
    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_label("Expiry month (MM)").fill("12")
    page.get_by_label("Expiry year (YY or YYYY)").fill("2030")
    page.get_by_label("Security code (CVC)").fill("123")
    page.get_by_role("button", name="Use this card").click()

    # Back at checkout, the token already moved out of the address bar into the session.
    page.wait_for_url(f"{site}/en/checkout/payment/")
    assert page.locator("[data-card-ready]").inner_text() == "Card ready"
    assert page.locator("#pay-card").is_checked()
    page.get_by_role("button", name="Place order").click()

    page.wait_for_url(re.compile(r"/en/orders/LUM-[0-9A-Z]{4}-[0-9A-Z]{4}/placed/$"))
    assert heading(page) == "Thank you for your order"
    number = page.locator("[data-order-number]").inner_text()
    assert ORDER_NUMBER.fullmatch(number)
    assert page.locator(".cart-link__count").inner_text() == "0"

    page.goto(f"{site}/en/account/")
    page.get_by_role("link", name="My orders").click()
    page.wait_for_url(f"{site}/en/account/orders/")
    page.get_by_role("link", name=number).click()
    page.wait_for_url(f"{site}/en/account/orders/{number}/")
    assert page.locator("[data-order-status]").inner_text() == "Paid"
    assert page.locator("[data-card]").inner_text() == "Visa ending 4242"
    assert page.locator("[data-order-total]").inner_text() == "322.00\u00a0SAR"

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the invoice (PDF)").click()
    download = download_info.value
    assert re.fullmatch(r"INV-\d{4}-\d{6}\.pdf", download.suggested_filename)
    assert Path(download.path()).read_bytes().startswith(b"%PDF")
