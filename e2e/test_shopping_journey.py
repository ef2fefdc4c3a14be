"""In a real browser, in Arabic: find a product by its Arabic name, choose a variant, add it to
the cart (a drawer opens) and see the total; and every shop page holds its layout on a phone and
a desktop."""

from __future__ import annotations

import re

import pytest

from lumeire.storefront.tests.shop import make_shop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"phone": 360, "desktop": 1280}
SHOP_PAGES = ["", "c/women/", "p/silk-evening-dress/", "search/?q=dress", "cart/"]


@pytest.fixture
def shop(settings, tmp_path, transactional_db):
    """Made before the browser starts: Playwright's event loop forbids database work."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return make_shop()


def test_search_in_arabic_choose_a_variant_and_see_the_cart_total(live_server, shop, page):
    page.goto(f"{live_server.url}/ar/")
    assert page.locator("html").get_attribute("dir") == "rtl"

    page.get_by_label("ابحث في المتجر").fill("فستان سهره")  # ه for ة, as people type it
    page.get_by_role("button", name="بحث", exact=True).click()
    page.wait_for_url(re.compile(r"/ar/search/\?q="))
    page.get_by_role("link", name="فستان سهرة حرير").click()
    page.wait_for_url(f"{live_server.url}/ar/p/silk-evening-dress/")

    page.get_by_role("radio", name=re.compile("المقاس: L")).check()
    # The price shown follows the variant ticked (483.00 = 420.00 + 15 % VAT).
    assert page.locator("[data-price-now]").inner_text() == "483.00\u00a0ر.س"
    page.get_by_label("الكمية", exact=True).fill("2")
    page.get_by_role("button", name="أضف إلى السلة").click()

    # With script the page stays, a drawer shows the cart and the header counts the items.
    drawer = page.get_by_role("dialog", name="أُضيف إلى سلتك")
    drawer.wait_for()
    assert drawer.get_by_role("link", name="فستان سهرة حرير").is_visible()
    assert page.locator(".cart-link__count").inner_text() == "2"
    drawer.get_by_role("link", name="عرض السلة").click()
    page.wait_for_url(f"{live_server.url}/ar/cart/")
    assert page.locator("[data-cart-total]").inner_text() == "966.00\u00a0ر.س"
    assert page.locator(".cart-link__count").inner_text() == "2"


def test_the_shop_works_without_scripts(live_server, shop, browser):
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    page = context.new_page()
    page.goto(f"{live_server.url}/en/c/women/")
    page.get_by_label("Sort by").select_option("-price")
    page.get_by_role("button", name="Sort").click()
    page.wait_for_url(re.compile(r"sort=-price"))
    assert page.locator(".product-card__name").first.inner_text() == "Silk evening dress"

    page.goto(f"{live_server.url}/en/p/silk-evening-dress/")
    page.get_by_role("radio", name=re.compile("Size: L")).check()
    page.get_by_role("button", name="Add to cart").click()
    page.wait_for_url(f"{live_server.url}/en/cart/")
    assert page.locator("[data-cart-total]").inner_text() == "483.00\u00a0SAR"
    context.close()


def test_shop_pages_hold_their_layout_at_phone_and_desktop_widths(
    live_server, shop, page, tmp_path_factory
):
    shots = tmp_path_factory.mktemp("shop-screenshots")
    page.goto(f"{live_server.url}/en/p/brass-table-lamp/")
    page.get_by_role("button", name="Add to cart").click()
    page.get_by_role("dialog").wait_for()
    for language in ("en", "ar"):
        for name, width in WIDTHS.items():
            page.set_viewport_size({"width": width, "height": 800})
            for path in SHOP_PAGES:
                page.goto(f"{live_server.url}/{language}/{path}")
                overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
                assert not overflow, f"{language} {path or 'home'} @ {width}"
                expected = "rtl" if language == "ar" else "ltr"
                assert page.locator("html").get_attribute("dir") == expected
                slug = path.split("/")[0] or "home"
                page.screenshot(path=str(shots / f"{slug}-{language}-{name}.png"), full_page=True)


@pytest.mark.parametrize("language", ["en", "ar"])
def test_suggestions_as_you_type_open_a_product_from_the_keyboard_or_a_click(
    live_server, shop, page, language
):
    typed, product = {"en": "silk ev", "ar": "فستان سه"}[language], "silk-evening-dress"
    page.goto(f"{live_server.url}/{language}/")
    box = page.locator("input[data-suggest-url]")
    box.fill(typed)
    listbox = page.get_by_role("listbox")
    listbox.wait_for()
    assert box.get_attribute("aria-expanded") == "true"
    options = listbox.get_by_role("option")
    assert options.count() >= 1
    # An option is plain text: no link or button inside it (a control within a control).
    assert listbox.locator("a, button").count() == 0

    box.press("Escape")
    assert box.get_attribute("aria-expanded") == "false"

    box.press("ArrowDown")  # the list comes back and its first product is chosen
    chosen = page.locator("[role=option][aria-selected=true]")
    for _ in range(options.count()):
        if product in (chosen.get_attribute("data-href") or ""):
            break
        box.press("ArrowDown")
    assert product in chosen.get_attribute("data-href")
    assert box.get_attribute("aria-activedescendant") == chosen.get_attribute("id")
    box.press("Enter")
    page.wait_for_url(f"{live_server.url}/{language}/p/{product}/")

    page.goto(f"{live_server.url}/{language}/")
    page.locator("input[data-suggest-url]").fill(typed)
    page.locator(f"[role=option][data-href$='/p/{product}/']").click()
    page.wait_for_url(f"{live_server.url}/{language}/p/{product}/")
