"""Every shop page: right-to-left in Arabic, the strict CSP's rules, forms that carry a token."""

from __future__ import annotations

import pytest
from django.test import Client

from lumeire.core.tests.markup import parse
from lumeire.storefront.tests.test_pages import (
    EVENT_HANDLER,
    INLINE_SCRIPT,
    STYLE_ATTRIBUTE,
    STYLE_ELEMENT,
)

pytestmark = pytest.mark.django_db

SHOP_PAGES = [
    "/{language}/",
    "/{language}/c/women/",
    "/{language}/c/women/?sort=price&in_stock=1&opt_size=M",
    "/{language}/c/women/?min_price=abc",
    "/{language}/p/silk-evening-dress/",
    "/{language}/p/oud-perfume/",
    "/{language}/search/?q=dress",
    "/{language}/search/?q=submarine",
    "/{language}/search/",
    "/{language}/cart/",
]


@pytest.fixture
def shopper(shop) -> Client:
    """A visitor with something in the cart, so the cart page shows its lines and forms."""
    browser = Client()
    browser.post("/en/p/brass-table-lamp/", {"sku": "LAMP", "quantity": 1})
    return browser


def pages_in(language: str) -> list[str]:
    return [url.format(language=language) for url in SHOP_PAGES]


@pytest.mark.parametrize("url", pages_in("ar"))
def test_every_shop_page_in_arabic_is_right_to_left(shopper, url):
    response = shopper.get(url)

    assert response.status_code in (200, 400), url
    html = parse(response.content.decode()).find_all("html")[0]
    assert html.attrs == {"lang": "ar", "dir": "rtl"}


@pytest.mark.parametrize("url", pages_in("en") + pages_in("ar"))
def test_shop_pages_keep_the_strict_csp_and_post_forms_carry_a_token(shopper, url):
    body = shopper.get(url).content.decode()

    assert not INLINE_SCRIPT.search(body)
    assert not STYLE_ATTRIBUTE.search(body)
    assert not STYLE_ELEMENT.search(body)
    assert not EVENT_HANDLER.search(body)
    for form in parse(body).find_all("form"):
        if form.attrs.get("method") == "post":
            names = [field.attrs.get("name") for field in form.find_all("input")]
            assert "csrfmiddlewaretoken" in names, (url, form.attrs)
        else:
            assert form.attrs.get("method") == "get", (url, form.attrs)


@pytest.mark.parametrize("url", pages_in("ar"))
def test_arabic_shop_pages_show_no_english_interface_words(shopper, url):
    body = shopper.get(url).content.decode()

    for english in ("Add to cart", "Sort by", "Filters", "VAT included", "Search", "Cart"):
        assert f">{english}<" not in body, (url, english)
