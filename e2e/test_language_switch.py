"""In a real browser: switching to Arabic turns the page right-to-left, and the layout holds."""

from __future__ import annotations

import pytest

WIDTHS = {"phone": 360, "desktop": 1280}

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _overflows_horizontally(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth > window.innerWidth")


def test_switching_to_arabic_turns_the_page_right_to_left(live_server, page):
    page.goto(f"{live_server.url}/")
    assert page.locator("html").get_attribute("dir") == "ltr"
    assert page.url == f"{live_server.url}/en/"

    # One button, named in the language it switches to.
    page.get_by_role("button", name="العربية").click()

    page.wait_for_url(f"{live_server.url}/ar/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("html").get_attribute("lang") == "ar"
    assert page.get_by_role("heading", level=1).inner_text() == "مرحبًا بك في Lumeire"

    page.goto(f"{live_server.url}/")
    assert page.url == f"{live_server.url}/ar/", "the choice is remembered over the browser's"


def test_layout_holds_at_phone_and_desktop_widths_in_both_languages(
    live_server, page, tmp_path_factory
):
    shots = tmp_path_factory.mktemp("screenshots")
    for language in ("en", "ar"):
        for name, width in WIDTHS.items():
            page.set_viewport_size({"width": width, "height": 800})
            for path in ("", "privacy/", "no-such-page/"):
                page.goto(f"{live_server.url}/{language}/{path}")
                stylesheet = page.evaluate(
                    "getComputedStyle(document.body).getPropertyValue('--radius') || "
                    "getComputedStyle(document.documentElement).getPropertyValue('--radius')"
                )
                assert stylesheet.strip() == "0.75rem", "site.css did not load"
                assert not _overflows_horizontally(page), f"{language} {path or 'home'} @ {width}"
                slug = path.strip("/") or "home"
                page.screenshot(path=str(shots / f"{slug}-{language}-{name}.png"), full_page=True)

    brand = page.locator(".brand").bounding_box()
    switch = page.locator(".language-switch").bounding_box()
    assert brand["x"] > switch["x"], "in Arabic the store name sits on the right, the switch left"


def test_skip_link_appears_on_focus_and_moves_to_the_content(live_server, page):
    page.goto(f"{live_server.url}/en/")

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    assert skip.evaluate("element => element === document.activeElement")
    assert skip.bounding_box()["y"] >= 0
    page.keyboard.press("Enter")

    assert page.evaluate("document.activeElement.id") == "main"
