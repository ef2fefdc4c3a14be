"""The search box: one on every page, results in both languages, help when nothing matches."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lumeire.core.tests.markup import parse
from lumeire.storefront.tests.shop import page, product_names, text_of, with_class

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    ["/en/", "/ar/privacy/", "/en/c/women/", "/ar/p/oud-perfume/", "/en/cart/", "/en/nowhere/"],
)
def test_every_page_has_the_search_box_in_its_header(client, shop, url):
    header = parse(client.get(url).content.decode()).find_all("header")[0]
    forms = [f for f in header.find_all("form") if f.attrs.get("role") == "search"]

    assert len(forms) == 1
    assert forms[0].attrs["method"] == "get"
    assert forms[0].attrs["action"] == f"/{url.split('/')[1]}/search/"
    assert [i.attrs["name"] for i in forms[0].find_all("input")] == ["q"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("silk dress", ["Silk evening dress"]),
        ("LAMP", ["Brass table lamp"]),
        ("فستان", ["Silk evening dress", "Cotton day dress"]),
        ("عِطْر", ["Oud perfume"]),  # diacritics typed
        ("العود", ["Oud perfume"]),
        ("مصباح نحاسى", ["Brass table lamp"]),  # ى for ي
        ("فاخر", ["Oud perfume"]),  # from the Arabic description
    ],
)
def test_search_finds_english_and_arabic_names(client, shop, query, expected):
    document = page(client, f"/en/search/?q={query}")

    assert sorted(product_names(document)) == sorted(expected)
    search_box = [i for i in document.find_all("input") if i.attrs.get("name") == "q"]
    assert search_box[0].attrs["value"] == query


def test_search_letter_variants_of_alef(client, shop):
    from lumeire.catalog.tests.factories import make_product

    make_product(category=shop.home, name_en="Alabaster lamp", name_ar="مصباح أبيض")
    for query in ("ابيض", "أبيض", "إبيض", "آبيض"):
        assert product_names(page(client, f"/en/search/?q={query}")) == ["Alabaster lamp"], query


def test_results_are_counted_sorted_and_filtered(client, shop):
    document = page(client, "/en/search/?q=dress&sort=price")

    assert text_of(document, "p", "shelf__count") == ["2 products"]
    assert product_names(document) == ["Cotton day dress", "Silk evening dress"]
    assert product_names(page(client, "/en/search/?q=dress&in_stock=1")) == ["Silk evening dress"]


def test_no_results_suggest_what_to_try_and_link_the_categories(client, shop):
    document = page(client, "/en/search/?q=submarine")

    advice = with_class(document, "div", "no-results")[0]
    tips = [" ".join(li.text.split()) for li in advice.find_all("li")]
    assert tips[0].startswith("Check the spelling")
    assert tips[1].startswith("Use fewer words")
    browse = with_class(document, "section", "browse")[0]
    assert [a.attrs["href"] for a in browse.find_all("a")] == ["/en/c/women/", "/en/c/home/"]
    assert product_names(document) == []


def test_an_empty_search_invites_a_query(client, shop):
    document = page(client, "/en/search/?q=+++")

    assert "Type a product" in " ".join(text_of(document, "p", "lead"))
    assert product_names(document) == []


def test_a_bad_sort_on_search_is_400_and_keeps_the_query(client, shop):
    response = client.get("/en/search/?q=silk&sort=cheapest")

    assert response.status_code == 400
    alert = with_class(parse(response.content.decode()), "div", "form-alert")[0]
    assert [a.attrs["href"] for a in alert.find_all("a")] == ["/en/search/?q=silk"]


@given(query=st.text(max_size=200))
def test_the_search_page_never_fails_whatever_is_typed(client, shop, query):
    response = client.get("/en/search/", {"q": query})

    # A NUL cannot be stored or searched for: refused with a 400 page, never a 500.
    assert response.status_code == (400 if "\x00" in query else 200)
