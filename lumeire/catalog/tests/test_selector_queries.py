"""What the catalogue reads ask of the database: totals counted only when read, complete option
menus, branch counts the (category, listed) index answers."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lumeire.catalog.models import Product
from lumeire.catalog.selectors import ProductFilters, ProductSort, category_tree, product_page
from lumeire.catalog.tests.factories import make_category, make_product

pytestmark = pytest.mark.django_db


def counts_run(action) -> int:
    with CaptureQueriesContext(connection) as seen:
        action()
    return sum("COUNT(" in query["sql"].upper() for query in seen.captured_queries)


@pytest.fixture
def nine():
    category = make_category()
    return [make_product(category=category, name_en=f"Lamp {i}", age_days=i) for i in range(9)]


@pytest.mark.parametrize("sort", [s for s in ProductSort if s != ProductSort.RELEVANCE])
def test_the_total_is_counted_only_when_read(nine, sort):
    filters = ProductFilters(sort=sort)
    page = None

    def read_page():
        nonlocal page
        page = product_page(filters, limit=4, cursor=None)

    assert counts_run(read_page) == 0
    assert counts_run(lambda: page.total) == 1
    assert page.total == 9
    assert counts_run(lambda: page.total) == 0  # counted once

    later = product_page(filters, limit=4, cursor=page.next_cursor)
    assert later.total == 9


def test_a_search_knows_its_total_from_the_matches_it_ranked_without_a_count(nine):
    filters = ProductFilters(query="lamp")
    pages = []

    def both_pages():
        pages.append(product_page(filters, limit=4, cursor=None))
        pages.append(product_page(filters, limit=4, cursor=pages[0].next_cursor))

    assert counts_run(both_pages) == 0
    assert [page.total for page in pages] == [9, 9]
    assert not pages[0].beyond_bound


def test_a_search_with_more_matches_than_a_shopper_can_page_says_more_than(monkeypatch, nine):
    from lumeire.catalog import selectors

    monkeypatch.setattr(selectors, "MAX_SEARCH_OFFSET", 4)
    page = product_page(ProductFilters(query="lamp"), limit=2, cursor=None)

    assert page.beyond_bound and page.bound == 4
    assert [p.name_en for p in page.items] == ["Lamp 0", "Lamp 1"]
    assert page.total == 5  # one past the bound: the page says "more than 4"


@pytest.mark.parametrize("sort", list(ProductSort))
def test_a_first_page_holding_every_match_needs_no_count(nine, sort):
    filters = ProductFilters(sort=sort, query="lamp" if sort == ProductSort.RELEVANCE else "")

    def whole():
        page = product_page(filters, limit=9, cursor=None)
        assert (page.total, page.next_cursor) == (9, None)

    assert counts_run(whole) == 0


def test_a_last_page_after_a_cursor_still_counts_every_match(nine):
    first = product_page(ProductFilters(sort=ProductSort.PRICE), limit=5, cursor=None)
    last = product_page(ProductFilters(sort=ProductSort.PRICE), limit=5, cursor=first.next_cursor)

    assert len(last.items) == 4
    assert last.next_cursor is None
    assert last.total == 9


def test_category_counts_are_unchanged_by_counting_rows_instead_of_ids(nine):
    hidden = make_product(category=nine[0].category, is_active=False)

    counts = dict((category.pk, count) for category, count in category_tree())

    assert counts[nine[0].category_id] == 9
    assert hidden.is_listed is False


def test_the_option_menu_lists_every_value_on_sale_once():
    from lumeire.catalog.selectors import option_values

    shelf = make_category()
    sizes = ["S", "M", "L", "XL"]
    for index in range(12):
        make_product(
            category=make_category(parent=shelf) if index % 4 == 0 else shelf,
            variants=[
                {"options": {"size": size, "colour": ("navy", "sand")[index % 2]}}
                for size in sizes[: 1 + index % 4]
            ],
        )

    menu = option_values(ProductFilters(category=shelf))

    assert menu == {"colour": ["navy", "sand"], "size": ["L", "M", "S", "XL"]}


@pytest.mark.parametrize("sort", [ProductSort.PRICE, ProductSort.PRICE_DESC, ProductSort.NEWEST])
def test_a_sorted_search_pages_through_every_match_in_order_without_a_count(sort):
    category = make_category()
    prices = ["30.00", "10.00", "20.00", "10.00", "50.00", "40.00", "20.00"]
    lamps = [
        make_product(category=category, name_en=f"Lamp {i}", price=price, age_days=i)
        for i, price in enumerate(prices)
    ]
    make_product(category=category, name_en="Vase", price="5.00")
    filters = ProductFilters(query="lamp", sort=sort)
    seen, cursor, pages = [], None, []

    def walk():
        nonlocal cursor
        while True:
            page = product_page(filters, limit=3, cursor=cursor)
            pages.append(page)
            seen.extend(page.items)
            cursor = page.next_cursor
            if cursor is None:
                break

    assert counts_run(walk) == 0
    field = "created_at" if sort == ProductSort.NEWEST else "min_price"
    descending = sort != ProductSort.PRICE
    expected = sorted(lamps, key=lambda p: (getattr(p, field), p.pk), reverse=descending)
    assert [p.pk for p in seen] == [p.pk for p in expected]
    assert {page.total for page in pages} == {len(lamps)}


@pytest.mark.parametrize(
    "walk", [3, 40]
)  # the walk finds too few (sorted from the index) or a page
@pytest.mark.parametrize("sort", [ProductSort.PRICE, ProductSort.PRICE_DESC, ProductSort.NEWEST])
def test_a_broad_sorted_search_pages_in_exact_order_whether_walked_or_sorted(
    monkeypatch, sort, walk
):
    """More matches than the bound: each page is the exact next slice of every match in the
    sort's order, whether the sort's index held the page or the matches were sorted instead.
    The cheap lamps sit at one end of the price order, as books do in a real catalogue."""
    from lumeire.catalog import selectors

    monkeypatch.setattr(selectors, "MAX_SEARCH_OFFSET", 4)
    monkeypatch.setattr(selectors, "BROAD_SEARCH_WALK", walk)
    category = make_category()
    for i in range(8):
        make_product(category=category, name_en=f"Lamp {i}", price=f"{10 + i}.00", age_days=i)
    for i in range(20):
        make_product(category=category, name_en=f"Chair {i}", price=f"{500 + i}.00", age_days=30)
    lamps = Product.objects.filter(name_en__startswith="Lamp")
    key = {
        ProductSort.PRICE: lambda p: (p.min_price, p.pk),
        ProductSort.PRICE_DESC: lambda p: (-p.min_price, -p.pk),
        ProductSort.NEWEST: lambda p: (-p.created_at.timestamp(), -p.pk),
    }[sort]
    expected = [p.pk for p in sorted(lamps, key=key)]

    seen, cursor = [], None
    while True:
        page = product_page(ProductFilters(query="lamp", sort=sort), limit=3, cursor=cursor)
        assert page.beyond_bound
        seen += [card.pk for card in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == expected
