"""In a real browser: the cookies present after a first visit, after "Essential only" and after
"Accept all" are exactly the registry's essential set, then the essential plus accepted set."""

from __future__ import annotations

import pytest
from django.conf import settings

from lumeire.privacy.cookies import (
    CONSENT_COOKIE_NAME,
    RECENTLY_VIEWED_COOKIE_NAME,
    STATISTICS_COOKIE_NAME,
    cookie_spec,
)
from lumeire.storefront.tests.shop import make_shop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shop(settings, tmp_path, transactional_db):
    """Made before the browser starts: Playwright's event loop forbids database work."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return make_shop()


def _cookies(page) -> set[str]:
    return {cookie["name"] for cookie in page.context.cookies()}


def _banner(page):
    return page.get_by_role("region", name="Your choice of cookies")


def test_a_first_visit_sets_only_essential_cookies_and_essential_only_keeps_it_so(
    live_server, shop, page
):
    page.goto(f"{live_server.url}/en/")
    first_visit = _cookies(page)
    assert first_visit == {settings.CSRF_COOKIE_NAME}
    assert all(cookie_spec(name).essential for name in first_visit)
    assert _banner(page).is_visible()

    # Keyboard only: the skip link, then the banner's two buttons.
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Essential only"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == f"{live_server.url}/en/"

    assert _banner(page).count() == 0
    page.goto(f"{live_server.url}/en/p/oud-perfume/")
    page.goto(f"{live_server.url}/en/")
    assert _cookies(page) == {settings.CSRF_COOKIE_NAME, CONSENT_COOKIE_NAME}
    assert all(cookie_spec(name).essential for name in _cookies(page))


def test_accept_all_adds_exactly_the_accepted_optional_cookies(live_server, shop, page):
    page.goto(f"{live_server.url}/en/c/home/")
    with page.expect_navigation():
        _banner(page).get_by_role("button", name="Accept all").click()
    assert page.url == f"{live_server.url}/en/c/home/"
    assert _banner(page).count() == 0

    page.get_by_role("link", name="Oud perfume").first.click()
    page.wait_for_url(f"{live_server.url}/en/p/oud-perfume/")
    page.goto(f"{live_server.url}/en/")

    assert _cookies(page) == {
        settings.CSRF_COOKIE_NAME,
        CONSENT_COOKIE_NAME,
        STATISTICS_COOKIE_NAME,
        RECENTLY_VIEWED_COOKIE_NAME,
    }
    recent = page.get_by_role("region", name="Recently viewed")
    assert recent.get_by_role("link", name="Oud perfume").is_visible()

    # Changed from the footer: withdrawing "recently viewed" deletes its cookie at once.
    page.get_by_role("link", name="Cookie settings").click()
    page.get_by_label("Remember my recently viewed products").uncheck()
    with page.expect_navigation():
        page.get_by_role("button", name="Save my choices").click()
    assert RECENTLY_VIEWED_COOKIE_NAME not in _cookies(page)
    assert STATISTICS_COOKIE_NAME in _cookies(page)
