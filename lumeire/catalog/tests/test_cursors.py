"""Cursors altered by a client are refused as cursors, never reach the database as bad values."""

from __future__ import annotations

import pytest

from lumeire.catalog.errors import CatalogError
from lumeire.catalog.pagination import encode_cursor
from lumeire.catalog.selectors import ProductFilters, ProductSort, product_page
from lumeire.catalog.tests.factories import make_category, make_product

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("sort", "position"),
    [
        (ProductSort.PRICE, {"min_price": "cheap", "id": 1}),
        (ProductSort.PRICE, {"min_price": "NaN", "id": 1}),
        (ProductSort.PRICE, {"min_price": None, "id": 1}),
        (ProductSort.PRICE_DESC, {"min_price": "10", "id": 2**70}),
        (ProductSort.PRICE, {"min_price": "10", "id": 0}),
        (ProductSort.NEWEST, {"created_at": "yesterday", "id": 1}),
        (ProductSort.NEWEST, {"created_at": [], "id": 1}),
        (ProductSort.NEWEST, {"min_price": "10", "id": 1}),
    ],
)
def test_an_altered_keyset_value_is_a_cursor_error(sort, position):
    make_product(category=make_category())

    with pytest.raises(CatalogError) as refused:
        product_page(ProductFilters(sort=sort), limit=5, cursor=encode_cursor(position))

    assert list(refused.value.field_errors) == ["cursor"]


def test_a_cursor_made_by_the_store_still_works():
    category = make_category()
    for i in range(3):
        make_product(category=category, price=str(10 + i), age_days=i)

    for sort in (ProductSort.PRICE, ProductSort.PRICE_DESC, ProductSort.NEWEST):
        first = product_page(ProductFilters(sort=sort), limit=2, cursor=None)
        rest = product_page(ProductFilters(sort=sort), limit=2, cursor=first.next_cursor)
        assert len(first.items) == 2 and len(rest.items) == 1
