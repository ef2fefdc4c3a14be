"""The cookie banner and settings page: essential cookies only until the visitor chooses, the
choice kept and recorded, and cached catalogue pages right for visitors on both sides of it."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from lumeire.privacy.cookies import (
    CONSENT_COOKIE_NAME,
    RECENTLY_VIEWED_COOKIE_NAME,
    STATISTICS_COOKIE_NAME,
    consent_cookie_value,
    cookie_spec,
    parse_consent,
)
from lumeire.privacy.models import ConsentRecord, DailyPageViews

pytestmark = pytest.mark.django_db

BANNER = 'class="consent-banner"'
CONSENT_ID = "0123456789abcdef0123456789abcdef"


def _live_cookies(client: Client) -> set[str]:
    return {name for name, morsel in client.cookies.items() if morsel.value}


def _choose(client: Client, choice: str, next_path: str = "/en/c/home/", **extra):
    return client.post(
        "/en/privacy/cookies/", {"choice": choice, "source": "banner", "next": next_path, **extra}
    )


def test_a_first_visit_shows_the_banner_and_sets_only_essential_cookies(shop):
    client = Client()
    body = client.get("/en/").content.decode()

    assert BANNER in body
    assert 'aria-labelledby="consent-banner-title"' in body
    assert 'name="choice" value="all">Accept all</button>' in body
    assert 'name="choice" value="essential">Essential only</button>' in body
    assert 'href="/en/privacy/cookies/">Choose by category</a>' in body
    assert all(cookie_spec(name).essential for name in _live_cookies(client))
    assert ConsentRecord.objects.count() == 0


def test_the_footer_links_to_the_cookie_settings(shop):
    body = Client().get("/en/c/home/").content.decode()

    assert '<a href="/en/privacy/cookies/">Cookie settings</a>' in body


def test_essential_only_is_kept_recorded_and_hides_the_banner(shop):
    client = Client()
    response = _choose(client, "essential")

    assert response.status_code == 302
    assert response["Location"] == "/en/c/home/"
    consent = parse_consent(client.cookies[CONSENT_COOKIE_NAME].value)
    assert consent.chosen and consent.categories == frozenset()
    record = ConsentRecord.objects.get()
    assert (record.method, record.categories, record.user) == ("banner", [], None)
    assert record.consent_id == consent.consent_id

    body = client.get("/en/p/oud-perfume/").content.decode()
    assert BANNER not in body
    assert RECENTLY_VIEWED_COOKIE_NAME not in _live_cookies(client)
    assert STATISTICS_COOKIE_NAME not in _live_cookies(client)
    assert DailyPageViews.objects.count() == 0


def test_accept_all_sets_the_optional_cookies_and_lists_recently_viewed_products(shop):
    client = Client()
    _choose(client, "all")

    client.get("/en/p/oud-perfume/")
    client.get("/en/p/silk-evening-dress/")

    assert client.cookies[RECENTLY_VIEWED_COOKIE_NAME].value == "silk-evening-dress.oud-perfume"
    assert STATISTICS_COOKIE_NAME in _live_cookies(client)
    [day] = DailyPageViews.objects.all()
    assert (day.views, day.visitors) == (2, 1)
    home = client.get("/en/").content.decode()
    assert "Recently viewed" in home
    assert 'href="/en/p/oud-perfume/">Oud perfume</a>' in home
    assert ConsentRecord.objects.get().categories == ["recently_viewed", "statistics"]


def test_a_signed_in_customer_s_choice_names_them(client, shop):
    from lumeire.accounts.tests.factories import make_customer

    customer = make_customer()
    client.force_login(customer)
    _choose(client, "essential")

    assert ConsentRecord.objects.get().user == customer


def test_the_return_address_must_be_local(shop):
    for target in ("https://evil.example/", "//evil.example/", "javascript:alert(1)"):
        response = _choose(Client(), "all", next_path=target)
        assert response["Location"] == "/en/"


def test_an_unknown_choice_changes_nothing(shop):
    client = Client()
    response = _choose(client, "everything")

    assert response.status_code == 400
    assert "Choose one of the buttons offered." in response.content.decode()
    assert CONSENT_COOKIE_NAME not in _live_cookies(client)
    assert ConsentRecord.objects.count() == 0


def test_an_unknown_category_on_the_settings_page_changes_nothing(shop):
    client = Client()
    response = client.post(
        "/en/privacy/cookies/", {"choice": "save", "categories": ["statistics", "advertising"]}
    )

    assert response.status_code == 400
    assert "Choose only among the cookie categories offered." in response.content.decode()
    assert CONSENT_COOKIE_NAME not in _live_cookies(client)
    assert ConsentRecord.objects.count() == 0


def test_the_settings_page_changes_the_choice_and_deletes_what_is_withdrawn(shop):
    client = Client()
    _choose(client, "all")
    client.get("/en/p/oud-perfume/")
    page = client.get("/en/privacy/cookies/").content.decode()
    assert 'value="recently_viewed" aria-describedby="consent-recently_viewed-help" checked' in page
    assert BANNER not in page

    response = client.post("/en/privacy/cookies/", {"choice": "save", "categories": ["statistics"]})

    assert response.status_code == 302
    assert response["Location"] == "/en/privacy/cookies/"
    assert response.cookies[RECENTLY_VIEWED_COOKIE_NAME]["max-age"] == 0
    assert RECENTLY_VIEWED_COOKIE_NAME not in _live_cookies(client)
    first, second = ConsentRecord.objects.order_by("id")
    assert (second.method, second.categories) == ("settings", ["statistics"])
    assert first.consent_id == second.consent_id


def test_the_settings_page_lists_every_registered_cookie(shop):
    page = Client().get("/en/privacy/cookies/").content.decode()

    for name in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME, CONSENT_COOKIE_NAME):
        assert f"<code>{name}</code>" in page
    assert "30 minutes" in page


def test_the_consent_page_is_in_arabic(shop):
    page = Client().get("/ar/privacy/cookies/").content.decode()

    assert "إعدادات ملفات تعريف الارتباط" in page


@pytest.mark.parametrize("first_with_consent", [False, True])
def test_cached_pages_show_the_banner_only_to_visitors_who_have_not_chosen(
    shop, first_with_consent
):
    chosen = Client()
    chosen.cookies[CONSENT_COOKIE_NAME] = consent_cookie_value(CONSENT_ID, set())
    visitors = [chosen, Client()] if first_with_consent else [Client(), chosen]
    for _ in range(2):  # the second round is served from the page cache
        for visitor in visitors:
            body = visitor.get("/en/c/home/").content.decode()
            assert (BANNER in body) is (visitor is not chosen)


def test_a_visitor_with_recently_viewed_products_never_gets_the_shared_page(shop):
    Client().get("/en/")  # stores the shared page
    client = Client()
    client.cookies[CONSENT_COOKIE_NAME] = consent_cookie_value(CONSENT_ID, {"recently_viewed"})
    client.cookies[RECENTLY_VIEWED_COOKIE_NAME] = "oud-perfume"

    assert 'href="/en/p/oud-perfume/">Oud perfume</a>' in client.get("/en/").content.decode()
    assert "Recently viewed" not in Client().get("/en/").content.decode()
