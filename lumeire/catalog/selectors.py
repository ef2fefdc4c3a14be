"""Catalogue reads for the storefront and the API: lists, filters, search, one product."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import cached_property
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import (
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OrderBy,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
)
from django.utils.translation import gettext as _

from lumeire.catalog.cards import ProductCard, product_cards
from lumeire.catalog.errors import CatalogError, CatalogErrorCode
from lumeire.catalog.models import Category, Product, ProductImage, Variant
from lumeire.catalog.pagination import BadCursor, decode_cursor, encode_cursor
from lumeire.catalog.search import (
    RankedMatches,
    ranked_matches,
    search_products,
    with_match_flag,
)
from lumeire.core.money import gross_price

CENT = Decimal("0.01")
DEFAULT_LIMIT = 24
OPTION_NAME = re.compile(r"(?!.*__)\w{1,40}")  # a word; "__" would start a lookup path
MAX_LIMIT = 100
MAX_SEARCH_OFFSET = 1000
# Rows of a sort's index a broad search reads for its page before it sorts its matches instead.
BROAD_SEARCH_WALK = 400
MAX_NET_CENTS = 10**12  # Variant.price: 12 digits, 2 after the point


class ProductSort(StrEnum):
    RELEVANCE = "relevance"
    PRICE = "price"
    PRICE_DESC = "-price"
    NEWEST = "newest"


@dataclass(frozen=True)
class ProductFilters:
    """What a shopper narrowed the list to; prices are shelf prices (VAT included).

    Options, stock and the price range are all a variant's: a product matches when one of its
    live variants is in every option chosen, in stock if asked, and priced within the range.
    """

    category: Category | None = None
    query: str = ""
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    in_stock: bool = False
    options: tuple[tuple[str, str], ...] = ()
    sort: ProductSort = ProductSort.RELEVANCE


@dataclass(frozen=True)
class ProductPage:
    """One page of products and the cursor of the next.

    ``total`` (every match, not only this page's) is counted when first read: the API never
    shows it, a cached fragment never asks, and at 100,000 products the count can cost more
    than the page. A first page that holds every match needs no count at all.
    """

    items: list[ProductCard]
    next_cursor: str | None
    count: Callable[[], int] = field(repr=False, compare=False)
    bound: int | None = None  # counted no further than this (searches)

    @cached_property
    def total(self) -> int:
        """Every match, or ``bound`` + 1 when there are more than ``bound``."""
        return self.count()

    @property
    def beyond_bound(self) -> bool:
        return self.bound is not None and self.total > self.bound


def _counter(
    products: QuerySet[Product], items: list[ProductCard], *, first: bool, limit: int
) -> Callable[[], int]:
    if first and len(items) <= limit:
        known = len(items)
        return lambda: known
    return products.count


def _invalid(field: str, message: str) -> CatalogError:
    return CatalogError(CatalogErrorCode.INVALID_INPUT, message, field_errors={field: [message]})


def parse_price(raw: object, field: str) -> Decimal | None:
    """A price filter from a query string, or a clear refusal."""
    if raw in (None, ""):
        return None
    try:
        value = Decimal(str(raw))
    except (InvalidOperation, ValueError):
        raise _invalid(field, _("Enter a number such as 100 or 49.90.")) from None
    if not value.is_finite() or value < 0 or value > Decimal("10000000"):
        raise _invalid(field, _("Enter a price between 0 and 10,000,000."))
    return value


def parse_sort(raw: object) -> ProductSort:
    try:
        return ProductSort(raw or ProductSort.RELEVANCE)
    except ValueError:
        raise _invalid("sort", _("Sort by relevance, price, -price or newest.")) from None


def parse_limit(raw: object) -> int:
    if raw in (None, ""):
        return DEFAULT_LIMIT
    try:
        limit = int(str(raw))
    except ValueError:
        raise _invalid("limit", _("The limit is a whole number from 1 to 100.")) from None
    if not 1 <= limit <= MAX_LIMIT:
        raise _invalid("limit", _("The limit is a whole number from 1 to 100."))
    return limit


def visible_products() -> QuerySet[Product]:
    """Products a shopper may see: shown, in a branch whose categories are all shown."""
    return Product.objects.filter(is_listed=True)


def branch_ids(category: Category) -> list[int]:
    """The ids of a category and every category below it."""
    return list(
        Category.objects.filter(path__startswith=category.path).values_list("id", flat=True)
    )


def category_get(slug: str) -> Category | None:
    """An active category by its slug."""
    return Category.objects.filter(slug=slug, is_active=True).select_related("parent").first()


def category_ancestors(category: Category) -> list[Category]:
    """From the top of the tree down to ``category``, for breadcrumbs."""
    ids = [int(part) for part in category.path.strip("/").split("/") if part]
    by_id = {c.pk: c for c in Category.objects.filter(pk__in=ids)}
    return [by_id[i] for i in ids if i in by_id]


def category_tree() -> list[tuple[Category, int]]:
    """Every active category in tree order with the number of visible products in its branch."""
    categories = list(Category.objects.filter(is_active=True).order_by("path"))
    direct = Counter(
        dict(
            visible_products()
            .values_list("category_id")
            # COUNT(*), not COUNT(id): the (category, is_listed) index alone answers it.
            .annotate(n=Count("*"))
            .values_list("category_id", "n")
        )
    )
    totals = Counter()
    for category in categories:
        for part in category.path.strip("/").split("/"):
            totals[int(part)] += direct.get(category.pk, 0)
    return [(category, totals[category.pk]) for category in categories]


def top_categories() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True, parent__isnull=True).order_by("position", "id")


def featured_products(limit: int = 8) -> list[ProductCard]:
    """Featured products a shopper can buy now: listed and in stock."""
    featured = visible_products().filter(is_featured=True, in_stock=True)
    return _cards(featured.order_by("-created_at", "-id")[:limit])


def _cards(products: QuerySet[Product]) -> list[ProductCard]:
    """The cards of these products, in the queryset's order (read by id; see catalog.cards)."""
    return product_cards(list(products.values_list("pk", flat=True)))


def _first_cent(reached: Callable[[Decimal], bool]) -> int:
    """The fewest cents for which ``reached`` holds (it must stay true above), or past the top."""
    low, high = 0, MAX_NET_CENTS + 1
    while low < high:
        middle = (low + high) // 2
        if reached(Decimal(middle) * CENT):
            high = middle
        else:
            low = middle + 1
    return low


def net_price_range(
    lowest: Decimal | None, highest: Decimal | None
) -> tuple[Decimal | None, Decimal | None] | None:
    """Shelf price bounds as bounds on a variant's net price, or None when no price fits.

    A variant's shelf price is ``gross_price`` of its net price, which never falls as the net
    price rises, so each bound on the one is a bound on the other; found by bisection over cents,
    it agrees with the shelf price shown to the cent, whatever the rounding.
    """
    low = high = None
    if lowest is not None:
        cents = _first_cent(lambda net: gross_price(net) >= lowest)
        if cents > MAX_NET_CENTS:
            return None
        low = Decimal(cents) * CENT
    if highest is not None:
        cents = _first_cent(lambda net: gross_price(net) > highest) - 1
        if cents < 0:
            return None
        high = Decimal(min(cents, MAX_NET_CENTS)) * CENT
    if low is not None and high is not None and low > high:
        return None
    return low, high


def _variant_match(filters: ProductFilters) -> Q | None:
    """What one variant must satisfy for its product to match, or None when nothing can."""
    condition = Q(is_active=True)
    if filters.in_stock:
        condition &= Q(stock__gt=0)
    if filters.min_price is not None or filters.max_price is not None:
        prices = net_price_range(filters.min_price, filters.max_price)
        if prices is None:
            return None
        if prices[0] is not None:
            condition &= Q(price__gte=prices[0])
        if prices[1] is not None:
            condition &= Q(price__lte=prices[1])
    for name, value in filters.options:
        # Option names become a JSON key lookup: only plain words, never a lookup path.
        if not OPTION_NAME.fullmatch(str(name)):
            return None
        condition &= Q(**{f"options__{name}": str(value)})
    return condition


def _filtered(filters: ProductFilters) -> QuerySet[Product]:
    products = visible_products()
    if filters.category is not None:
        products = products.filter(category_id__in=branch_ids(filters.category))
    # The summary columns narrow first from an index: a variant priced at most the highest
    # bound makes the lowest price at most that, and one in stock makes the product in stock.
    if filters.max_price is not None:
        products = products.filter(min_price__lte=filters.max_price)
    if filters.in_stock:
        products = products.filter(in_stock=True)
    if filters.min_price is None and filters.max_price is None and not filters.options:
        return products  # in stock alone: the summary column is the whole answer
    condition = _variant_match(filters)
    if condition is None:
        return products.none()
    # One variant must meet every condition at once: one EXISTS, never one per filter.
    return products.filter(Exists(Variant.objects.filter(condition, product=OuterRef("pk"))))


_KEYSET = {
    ProductSort.PRICE: (("min_price", "id"), False),
    ProductSort.PRICE_DESC: (("min_price", "id"), True),
    ProductSort.NEWEST: (("created_at", "id"), True),
}


def product_page(filters: ProductFilters, *, limit: int, cursor: str | None) -> ProductPage:
    """One page of products and the cursor of the next; the same for web pages and the API."""
    try:
        position = decode_cursor(cursor)
    except BadCursor:
        raise _invalid(
            "cursor", _("This page link is not valid; start from the first page.")
        ) from None
    matching = _filtered(filters)
    sort = filters.sort
    if filters.query and sort == ProductSort.RELEVANCE:
        return _search_page(matching, filters.query, position, limit)
    if filters.query:
        # Most searches match fewer products than a shopper can page through: they are found
        # whole from the index first and sorted here, so no ordered index walk wanders through
        # rows that do not match.
        found = ranked_matches(
            matching, filters.query, pool=MAX_SEARCH_OFFSET + 1, fields=_KEYSET[sort][0]
        )
        if found.complete:
            return _sorted_matches_page(found, sort, position, limit)
        return _broad_sorted_page(matching, filters.query, sort, position, limit)
    if sort == ProductSort.RELEVANCE:
        sort = ProductSort.NEWEST
    fields, descending = _KEYSET[sort]
    products = matching.order_by(*_ordering(fields, descending, by_index=True))
    if position is not None:
        products = products.filter(_after(fields, descending, position))
    items = _cards(products[: limit + 1])
    count = _counter(matching, items, first=position is None, limit=limit)
    return _keyset_page(items, fields, limit, count=count, bound=None)


def _keyset_page(
    items: list[ProductCard],
    fields: tuple[str, str],
    limit: int,
    *,
    count: Callable[[], int],
    bound: int | None,
) -> ProductPage:
    """``items`` (``limit`` + 1 read, to know whether a next page exists) as one page."""
    next_cursor = None
    if len(items) > limit:
        items = items[:limit]
        next_cursor = encode_cursor({f: str(getattr(items[-1], f)) for f in fields})
    return ProductPage(items=items, next_cursor=next_cursor, count=count, bound=bound)


def _broad_sorted_page(
    listed: QuerySet[Product],
    query: str,
    sort: ProductSort,
    position: dict[str, Any] | None,
    limit: int,
) -> ProductPage:
    """A page of a search with more matches than a shopper can page through, in a sort order.

    Where the matches are dense ("everyday", in every description) the first rows of the
    sort's index hold the page: a short walk that reads whether each row matches finds it.
    Where they are sparse or at the far end of the order ("books" by highest price), the
    walk finds too few and the matches are sorted from the search index instead. Either way
    the cost is bounded: never a walk through most of the catalogue, never a sort of every
    product. The count is the bound: there are more matches than a shopper can page.
    """
    fields, descending = _KEYSET[sort]
    walk = listed.order_by(*_ordering(fields, descending, by_index=True))
    if position is not None:
        walk = walk.filter(_after(fields, descending, position))
    rows = list(with_match_flag(walk, query).values_list("pk", "matches")[:BROAD_SEARCH_WALK])
    page_ids = [pk for pk, matches in rows if matches][: limit + 1]
    if len(page_ids) <= limit and len(rows) == BROAD_SEARCH_WALK:
        matches = search_products(listed, query).order_by(
            *_ordering(fields, descending, by_index=False)
        )
        if position is not None:
            matches = matches.filter(_after(fields, descending, position))
        page_ids = list(matches.values_list("pk", flat=True)[: limit + 1])
    items = product_cards(page_ids)
    beyond = MAX_SEARCH_OFFSET + 1
    return _keyset_page(items, fields, limit, count=lambda: beyond, bound=MAX_SEARCH_OFFSET)


def _ordering(fields: tuple[str, str], descending: bool, *, by_index: bool) -> list[OrderBy]:
    """The keyset order; ``by_index=False`` keeps the planner from walking the sort's index.

    With a limit, the planner walks the index whenever it guesses that matches are spread
    evenly; when they sit at the far end ("books" by highest price) it reads most of the
    catalogue (180 ms with 100,000 products). The column plus zero is the same order, from
    no index: the matches are found in the search index and the top of them kept.
    """
    first, tie = fields
    if by_index:
        key = F(first)
    else:
        zero = Value(timedelta(0)) if first == "created_at" else Value(Decimal(0))
        key = ExpressionWrapper(F(first) + zero, output_field=Product._meta.get_field(first))
    return [
        key.desc() if descending else key.asc(),
        F(tie).desc() if descending else F(tie).asc(),
    ]


def _cursor_values(fields: tuple[str, str], position: dict[str, Any]) -> tuple[Any, int]:
    first, tie = fields
    try:
        # Parsed here, so an altered value is the cursor's fault rather than a database error.
        first_value = Product._meta.get_field(first).to_python(position[first])
        tie_value = int(position[tie])
        if first_value is None or not 0 < tie_value < 2**63:
            raise ValueError(tie_value)
    except (KeyError, TypeError, ValueError, ValidationError):
        raise _invalid(
            "cursor", _("This page link is not valid; start from the first page.")
        ) from None
    return first_value, tie_value


def _after(fields: tuple[str, str], descending: bool, position: dict[str, Any]) -> Q:
    first, tie = fields
    first_value, tie_value = _cursor_values(fields, position)
    op = "lt" if descending else "gt"
    return Q(**{f"{first}__{op}": first_value}) | Q(
        **{first: first_value, f"{tie}__{op}": tie_value}
    )


def _sorted_matches_page(
    found: RankedMatches, sort: ProductSort, position: dict[str, Any] | None, limit: int
) -> ProductPage:
    """A page of a search whose every match is known, with its sort keys, sorted here: never an
    ordered index walk past rows that do not match."""
    fields, descending = _KEYSET[sort]
    keys = sorted(found.values.values(), reverse=descending)
    if position is not None:
        cursor = _cursor_values(fields, position)
        keys = [key for key in keys if (key < cursor if descending else key > cursor)]
    page_ids = [key[1] for key in keys[: limit + 1]]
    items = product_cards(page_ids)
    total = len(found.ids)
    return _keyset_page(items, fields, limit, count=lambda: total, bound=MAX_SEARCH_OFFSET)


def _search_page(
    matching: QuerySet[Product], query: str, position: dict[str, Any] | None, limit: int
) -> ProductPage:
    try:
        offset = int((position or {}).get("offset", 0))
    except (TypeError, ValueError):
        offset = -1
    if not 0 <= offset <= MAX_SEARCH_OFFSET:
        raise _invalid("cursor", _("This page link is not valid; start from the first page."))
    # Every page a shopper can reach is in the pool; past it they are told "more than 1,000".
    ranked = ranked_matches(matching, query, pool=MAX_SEARCH_OFFSET + limit + 1)
    page_ids = ranked.ids[offset : offset + limit + 1]
    items = product_cards(page_ids)
    total = len(ranked.ids) if ranked.complete else MAX_SEARCH_OFFSET + 1
    next_cursor = None
    if len(items) > limit and offset + limit < MAX_SEARCH_OFFSET:
        next_cursor = encode_cursor({"offset": offset + limit})
    return ProductPage(
        items=items[:limit], next_cursor=next_cursor, count=lambda: total, bound=MAX_SEARCH_OFFSET
    )


def product_get(slug: str) -> Product | None:
    """A visible product with its live variants and images."""
    return (
        visible_products()
        .filter(slug=slug)
        .select_related("category")
        .prefetch_related(
            Prefetch("variants", queryset=Variant.objects.filter(is_active=True)),
            Prefetch("images", queryset=ProductImage.objects.order_by("position", "id")),
        )
        .first()
    )


def related_products(product: Product, limit: int = 4) -> list[ProductCard]:
    """Other products from the same category, newest first."""
    return _cards(
        visible_products()
        .filter(category_id=product.category_id)
        .exclude(pk=product.pk)
        .order_by("-created_at", "-id")[:limit]
    )


def option_values(filters: ProductFilters) -> dict[str, list[str]]:
    """The option names and values present among the filtered products (for filter menus)."""
    values: dict[str, set[str]] = {}
    # Each distinct combination once, in no order: every value on sale is in the menu, and the
    # database neither sorts nor sends a row per variant (tens of thousands in a top category).
    rows = (
        Variant.objects.filter(
            is_active=True, product__in=_filtered(ProductFilters(category=filters.category))
        )
        .order_by()
        .values_list("options", flat=True)
        .distinct()[:5000]
    )
    for options in rows:
        for name, value in (options or {}).items():
            values.setdefault(str(name), set()).add(str(value))
    return {name: sorted(found) for name, found in sorted(values.items())}


def variant_for_sale(sku: str) -> Variant | None:
    """A live variant of a visible product, by SKU."""
    return (
        Variant.objects.filter(sku=sku, is_active=True, product__is_listed=True)
        .select_related("product")
        .first()
    )
