"""In a real browser, at desktop (1366×768) and phone (390×844) sizes, in both languages: the
sticky header and the cookie bar leave the first product on the first screen, the bar never hides
the end of the page for good, the phone menu opens without script, swatches update the price and
stock, "Add to cart" opens a drawer (Escape closes it and the focus comes back), and a refusal
is read out beside the button with the focus on it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from lumeire.accounts.tests.factories import PASSWORD, make_customer
from lumeire.merchandising.tests.factories import make_home_banners
from lumeire.storefront.tests.shop import make_shop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def shop(settings, tmp_path, transactional_db):
    """Made before the browser starts: Playwright's event loop forbids database work."""
    settings.MEDIA_ROOT = tmp_path / "media"
    made = make_shop()
    make_customer(username="huda", email="huda@example.com")
    make_home_banners(made.dresses)
    return made


def _box(page, selector: str) -> dict:
    return page.locator(selector).first.bounding_box()


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_header_and_the_cookie_bar_leave_the_first_product_on_the_first_screen(
    live_server, shop, browser, size, language
):
    context = browser.new_context(viewport=SIZES[size])
    page = context.new_page()
    # A shelf, and the home page with its hero above the featured products.
    for path in ("c/women/", ""):
        page.goto(f"{live_server.url}/{language}/{path}")
        banner = _box(page, ".consent-banner")
        header = _box(page, ".site-header")
        card = _box(page, ".product-card")
        assert banner["y"] + banner["height"] == pytest.approx(SIZES[size]["height"], abs=1)
        assert header["y"] == 0
        # The card's picture starts below the header and above the cookie bar.
        assert header["height"] <= card["y"] < banner["y"] - 80, (path, header, card, banner)
    page.goto(f"{live_server.url}/{language}/c/women/")

    # Scrolled down, the header stays on screen with the cart count.
    page.evaluate("window.scrollTo(0, 600)")
    assert page.evaluate("window.scrollY") > 0
    assert _box(page, ".site-header")["y"] == 0
    assert page.locator("[data-cart-count]").is_visible()

    # At the very end of the page the bar covers nothing: room is kept for it.
    page.goto(f"{live_server.url}/{language}/p/silk-evening-dress/")
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    footer = _box(page, ".site-footer")
    assert footer["y"] + footer["height"] <= _box(page, ".consent-banner")["y"] + 1
    page.locator(".buy__button").scroll_into_view_if_needed()
    button = _box(page, ".buy__button")
    assert button["y"] + button["height"] <= _box(page, ".consent-banner")["y"]
    context.close()


def test_the_phone_menu_opens_without_script(live_server, shop, browser):
    context = browser.new_context(viewport=SIZES["phone"], java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/en/c/women/")

    menu = page.get_by_role("navigation", name="Menu")
    assert not menu.is_visible()
    assert not page.get_by_role("link", name="Sign in").is_visible()
    page.locator(".menu-drawer summary").click()
    assert menu.is_visible()
    menu.locator("a[href='/en/c/home/']").click()
    page.wait_for_url(f"{live_server.url}/en/c/home/")
    context.close()


def test_the_phone_menu_closes_with_escape(live_server, shop, browser):
    context = browser.new_context(viewport=SIZES["phone"])
    page = context.new_page()
    page.goto(f"{live_server.url}/ar/")
    page.locator(".menu-drawer summary").click()
    menu = page.get_by_role("navigation", name="القائمة")
    assert menu.is_visible()

    page.keyboard.press("Escape")

    assert not menu.is_visible()
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
    context.close()


def test_swatches_follow_the_choice_and_the_cart_drawer_opens_and_closes(live_server, shop, page):
    page.goto(f"{live_server.url}/en/p/silk-evening-dress/")
    assert page.locator("[data-price-now]").inner_text() == "460.00\u00a0SAR"
    assert page.locator("[data-stock]").inner_text() == "Only 2 left"
    assert page.get_by_role("radio", name=re.compile("Size: S")).is_disabled()

    page.get_by_role("radio", name=re.compile("Size: L")).check()
    assert page.locator("[data-price-now]").inner_text() == "483.00\u00a0SAR"
    assert page.locator("[data-stock]").inner_text() == "In stock"
    assert page.locator("legend").first.inner_text() == "Size: L"

    page.get_by_label("Quantity", exact=True).fill("2")
    add = page.get_by_role("button", name="Add to cart")
    add.click()

    drawer = page.get_by_role("dialog", name="Added to your cart")
    drawer.wait_for()
    assert page.url == f"{live_server.url}/en/p/silk-evening-dress/"
    assert drawer.get_by_role("link", name="Silk evening dress").is_visible()
    assert "966.00\u00a0SAR" in drawer.inner_text()
    assert page.locator("[data-cart-count]").inner_text() == "2"
    assert page.locator("[data-cart-link]").get_attribute("aria-label") == "Cart, 2 items"
    expect(drawer.get_by_role("button", name="Close")).to_be_focused()

    page.keyboard.press("Escape")
    expect(drawer).to_be_hidden()
    expect(add).to_be_focused()

    # The drawer's links lead on; its count matches the cart page.
    add.click()
    drawer.wait_for()
    drawer.get_by_role("link", name="View cart").click()
    page.wait_for_url(f"{live_server.url}/en/cart/")
    assert page.locator("[data-cart-total]").inner_text() == "1,932.00\u00a0SAR"


def test_an_over_stock_quantity_is_said_beside_the_button_with_the_focus(live_server, shop, page):
    page.set_viewport_size(SIZES["phone"])
    page.goto(f"{live_server.url}/ar/p/silk-evening-dress/")
    page.get_by_label("الكمية", exact=True).fill("5")

    page.get_by_role("button", name="أضف إلى السلة").click()

    alert = page.get_by_role("alert")
    alert.wait_for()
    assert alert.inner_text() == "تبقّت قطعتان فقط."
    assert page.evaluate("document.activeElement.id") == "buy-refusal"
    assert (
        page.get_by_label("الكمية", exact=True).get_attribute("aria-describedby") == "buy-refusal"
    )
    # Right by the button, and on screen.
    gap = _box(page, ".buy__button")["y"] - (
        _box(page, "#buy-refusal")["y"] + _box(page, "#buy-refusal")["height"]
    )
    assert 0 <= gap < 120
    box = _box(page, "#buy-refusal")
    assert 0 < box["y"] < SIZES["phone"]["height"] - box["height"]
    assert page.locator("[data-cart-count]").inner_text() == "0"


def test_without_script_an_over_stock_quantity_is_said_beside_the_button_with_the_focus(
    live_server, shop, browser
):
    context = browser.new_context(viewport=SIZES["desktop"], java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/en/p/silk-evening-dress/")
    page.get_by_label("Quantity", exact=True).fill("5")

    page.get_by_role("button", name="Add to cart").click()

    page.wait_for_load_state()
    assert page.get_by_role("alert").inner_text() == "Only 2 left."
    assert page.evaluate("document.activeElement.id") == "buy-refusal"
    context.close()


def test_signed_in_the_search_box_keeps_its_room_at_every_size_in_both_languages(
    live_server, shop, page
):
    page.goto(f"{live_server.url}/en/account/sign-in/")
    page.get_by_label("Username or email").fill("huda")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/en/account/")

    for language in ("en", "ar"):
        for size, viewport in SIZES.items():
            page.set_viewport_size(viewport)
            page.goto(f"{live_server.url}/{language}/c/women/")
            width = _box(page, "#site-search-q")["width"]
            # Once squeezed to about 115 px: now a third of a desktop bar, a phone's full width.
            least = 360 if size == "desktop" else viewport["width"] - 40
            assert width >= least, (language, size, width)
            assert not page.evaluate("document.documentElement.scrollWidth > innerWidth")
