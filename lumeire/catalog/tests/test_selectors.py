"""Listing, filtering, sorting, paging and search of the catalogue."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lumeire.catalog.errors import CatalogError
from lumeire.catalog.selectors import (
    ProductFilters,
    ProductSort,
    category_tree,
    featured_products,
    net_price_range,
    product_get,
    product_page,
)
from lumeire.catalog.services import category_save, product_save
from lumeire.catalog.tests.factories import make_category, make_product
from lumeire.core.money import gross_price

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop():
    women = make_category("women", name_en="Women", name_ar="نساء")
    dresses = make_category("dresses", parent=women, name_en="Dresses", name_ar="فساتين")
    evening = make_category("evening", parent=dresses, name_en="Evening", name_ar="سهرة")
    home = make_category("home", name_en="Home", name_ar="المنزل")
    products = {
        "silk": make_product(
            category=evening,
            name_en="Silk evening dress",
            name_ar="فستان سهرة حرير",
            price="400.00",
            variants=[
                {"price": "400.00", "stock": 2, "options": {"size": "M"}},
                {"price": "420.00", "stock": 0, "options": {"size": "L"}},
            ],
        ),
        "cotton": make_product(
            category=dresses,
            name_en="Cotton day dress",
            name_ar="فستان قطن",
            price="150.00",
            stock=0,
            options={"size": "S"},
            age_days=3,
        ),
        "lamp": make_product(
            category=home,
            name_en="Brass table lamp",
            name_ar="مصباح نحاسي",
            price="80.00",
            age_days=1,
        ),
        "oud": make_product(
            category=home,
            name_en="Oud perfume",
            name_ar="عطر العود",
            description_ar="عِطْرٌ فاخِر",
            price="250.00",
            age_days=2,
        ),
    }
    return {"women": women, "dresses": dresses, "evening": evening, "home": home, **products}


def slugs(page) -> list[str]:
    return [p.slug for p in page.items]


def test_a_category_lists_its_whole_branch(shop):
    page = product_page(ProductFilters(category=shop["women"]), limit=24, cursor=None)
    assert sorted(slugs(page)) == sorted([shop["silk"].slug, shop["cotton"].slug])
    assert page.total == 2


def test_category_counts_include_children(shop):
    counts = {c.slug: n for c, n in category_tree()}
    assert counts == {"women": 2, "dresses": 2, "evening": 1, "home": 2}


def test_prices_shown_and_filtered_include_vat(shop):
    assert shop["lamp"].min_price == Decimal("92.00")  # 80 + 15 %
    page = product_page(
        ProductFilters(min_price=Decimal("90"), max_price=Decimal("200")), limit=24, cursor=None
    )
    assert sorted(slugs(page)) == sorted([shop["lamp"].slug, shop["cotton"].slug])


def test_in_stock_and_option_filters(shop):
    in_stock = product_page(ProductFilters(in_stock=True), limit=24, cursor=None)
    assert shop["cotton"].slug not in slugs(in_stock)
    sized = product_page(ProductFilters(options=(("size", "M"),)), limit=24, cursor=None)
    assert slugs(sized) == [shop["silk"].slug]


@pytest.fixture
def two_tone():
    """A lamp sold out in black, in stock in white; and a black lamp in stock."""
    shelf = make_category("lamps")
    return {
        "shelf": shelf,
        "two_tone": make_product(
            category=shelf,
            variants=[
                {"price": "300.00", "stock": 0, "options": {"colour": "black", "size": "S"}},
                {"price": "100.00", "stock": 3, "options": {"colour": "white", "size": "M"}},
            ],
        ),
        "black": make_product(
            category=shelf, price="200.00", stock=1, options={"colour": "black", "size": "M"}
        ),
    }


def narrowed(two_tone, **values) -> list[str]:
    filters = ProductFilters(category=two_tone["shelf"], **values)
    page = product_page(filters, limit=24, cursor=None)
    return sorted(name for name in ("two_tone", "black") if two_tone[name].slug in slugs(page))


def test_in_stock_and_an_option_apply_to_the_same_variant(two_tone):
    black = (("colour", "black"),)
    assert narrowed(two_tone, options=black) == ["black", "two_tone"]
    assert narrowed(two_tone, in_stock=True) == ["black", "two_tone"]
    # The two-tone lamp's only black variant is sold out: in stock and black is not it.
    assert narrowed(two_tone, in_stock=True, options=black) == ["black"]
    assert narrowed(two_tone, in_stock=True, options=(("colour", "white"),)) == ["two_tone"]


def test_every_option_applies_to_the_same_variant(two_tone):
    # Black comes in S, M comes in white: no variant of the two-tone lamp is black and M.
    assert narrowed(two_tone, options=(("colour", "black"), ("size", "M"))) == ["black"]
    assert narrowed(two_tone, options=(("colour", "black"), ("size", "S"))) == ["two_tone"]


def test_a_price_range_applies_to_the_same_variant_at_its_shelf_price(two_tone):
    # Shelf prices: two-tone 345.00 (black, sold out) and 115.00 (white); black 230.00.
    black = (("colour", "black"),)
    assert narrowed(two_tone, min_price=Decimal("300")) == ["two_tone"]
    assert narrowed(two_tone, min_price=Decimal("300"), in_stock=True) == []
    assert narrowed(two_tone, max_price=Decimal("150"), options=black) == []
    assert narrowed(two_tone, max_price=Decimal("150"), in_stock=True) == ["two_tone"]
    assert narrowed(two_tone, min_price=Decimal("230"), max_price=Decimal("230")) == ["black"]
    assert narrowed(two_tone, min_price=Decimal("230.01"), max_price=Decimal("344.99")) == []
    assert narrowed(two_tone, min_price=Decimal("115"), max_price=Decimal("115")) == ["two_tone"]


@given(net_cents=st.integers(0, 10**9), bound_cents=st.integers(0, 10**9))
def test_a_shelf_price_bound_becomes_the_same_bound_on_the_net_price(net_cents, bound_cents):
    net, bound = Decimal(net_cents) / 100, Decimal(bound_cents) / 100
    at_least, at_most = net_price_range(bound, None), net_price_range(None, bound)
    assert (gross_price(net) >= bound) == (at_least is not None and net >= at_least[0])
    assert (gross_price(net) <= bound) == (at_most is not None and net <= at_most[1])


def test_featured_products_are_listed_and_in_stock(shop):
    for name in ("silk", "cotton", "lamp"):
        shop[name].is_featured = True
        product_save(product=shop[name])
    assert sorted(p.slug for p in featured_products()) == sorted(
        [shop["silk"].slug, shop["lamp"].slug]
    )
    shop["lamp"].is_active = False
    product_save(product=shop["lamp"])
    assert [p.slug for p in featured_products()] == [shop["silk"].slug]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        (ProductSort.PRICE, ["lamp", "cotton", "oud", "silk"]),
        (ProductSort.PRICE_DESC, ["silk", "oud", "cotton", "lamp"]),
        (ProductSort.NEWEST, ["silk", "lamp", "oud", "cotton"]),
    ],
)
def test_sorting(shop, sort, expected):
    page = product_page(ProductFilters(sort=sort), limit=24, cursor=None)
    assert slugs(page) == [shop[name].slug for name in expected]


@pytest.mark.parametrize("sort", list(ProductSort))
def test_walking_every_cursor_visits_each_product_once(sort):
    category = make_category()
    made = {
        make_product(category=category, price=str(10 + (i % 4)), age_days=i % 3).slug
        for i in range(23)
    }
    seen, cursor = [], None
    filters = ProductFilters(sort=sort, query="product" if sort == ProductSort.RELEVANCE else "")
    for _ in range(20):
        page = product_page(filters, limit=5, cursor=cursor)
        seen += slugs(page)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 23
    assert set(seen) == made


def test_a_forged_cursor_is_a_clear_error():
    for cursor in ("not-base64!!", "eyJ4IjoxfQ", "W10"):
        with pytest.raises(CatalogError) as refused:
            product_page(ProductFilters(sort=ProductSort.PRICE), limit=5, cursor=cursor)
        assert "cursor" in refused.value.field_errors


def test_search_finds_english_and_arabic_names(shop):
    assert slugs(product_page(ProductFilters(query="silk dress"), limit=24, cursor=None)) == [
        shop["silk"].slug
    ]
    found = slugs(product_page(ProductFilters(query="فستان"), limit=24, cursor=None))
    assert sorted(found) == sorted([shop["silk"].slug, shop["cotton"].slug])


def test_arabic_search_ignores_diacritics_and_letter_variants(shop):
    for query in ("عطر", "عِطْر", "العود", "الْعُود", "فاخر"):
        assert shop["oud"].slug in slugs(
            product_page(ProductFilters(query=query), limit=24, cursor=None)
        ), query
    lamp = make_product(category=shop["home"], name_en="Alabaster lamp", name_ar="مصباح أبيض")
    assert lamp.slug in slugs(product_page(ProductFilters(query="ابيض"), limit=24, cursor=None))


def test_a_one_letter_typo_still_finds_the_product(shop):
    assert shop["oud"].slug in slugs(
        product_page(ProductFilters(query="parfume"), limit=24, cursor=None)
    )


@given(query=st.text(max_size=300))
def test_search_never_errors_on_any_text(shop, query):
    page = product_page(ProductFilters(query=query), limit=10, cursor=None)
    assert page.total >= 0


def test_hidden_products_and_hidden_categories_are_not_shown(shop):
    shop["lamp"].is_active = False
    product_save(product=shop["lamp"])
    shop["dresses"].is_active = False
    category_save(category=shop["dresses"])
    page = product_page(ProductFilters(), limit=24, cursor=None)
    assert shop["lamp"].slug not in slugs(page) and shop["silk"].slug not in slugs(page)
    assert shop["cotton"].slug not in slugs(page)  # in the hidden branch too
    assert product_get(shop["lamp"].slug) is None
    shop["dresses"].is_active = True
    category_save(category=shop["dresses"])
    shown = slugs(product_page(ProductFilters(), limit=24, cursor=None))
    assert shop["silk"].slug in shown and shop["cotton"].slug in shown


def test_an_option_name_is_a_literal_key_never_a_lookup(shop):
    for name in ("size__regex", "size__contains", "size__isnull"):
        page = product_page(ProductFilters(options=((name, "M"),)), limit=24, cursor=None)
        assert slugs(page) == []
