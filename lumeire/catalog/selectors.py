"""Catalogue reads for the storefront and the API: lists, filters, search, one product."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import cached_property
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from lumeire.catalog.errors import CatalogError, CatalogErrorCode
from lumeire.catalog.models import Category, Product, ProductImage, Variant
from lumeire.catalog.pagination import BadCursor, decode_cursor, encode_cursor
from lumeire.catalog.search import ranked_matches, search_products
from lumeire.core.money import gross_price

CENT = Decimal("0.01")
DEFAULT_LIMIT = 24
OPTION_NAME = re.compile(r"(?!.*__)\w{1,40}")  # a word; "__" would start a lookup path
MAX_LIMIT = 100
MAX_SEARCH_OFFSET = 1000
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

    items: list[Product]
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
    products: QuerySet[Product], items: list[Product], *, first: bool, limit: int
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


def featured_products(limit: int = 8) -> list[Product]:
    """Featured products a shopper can buy now: listed and in stock."""
    featured = visible_products().filter(is_featured=True, in_stock=True)
    return list(_with_images(featured.order_by("-created_at", "-id"))[:limit])


def _with_images(products: QuerySet[Product]) -> QuerySet[Product]:
    return products.select_related("category").prefetch_related(
        Prefetch("images", queryset=ProductImage.objects.order_by("position", "id"))
    )


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
        # rows that do not match. A broader search walks the sort's own index, where matches
        # are dense, and is counted no further than the bound.
        found = ranked_matches(matching, filters.query, pool=MAX_SEARCH_OFFSET + 1)
        if found.complete:
            return _sorted_matches_page(found.ids, sort, position, limit)
        matching = search_products(matching, filters.query)
    elif sort == ProductSort.RELEVANCE:
        sort = ProductSort.NEWEST
    fields, descending = _KEYSET[sort]
    ordering = [f"-{f}" if descending else f for f in fields]
    products = matching.order_by(*ordering)
    if position is not None:
        products = products.filter(_after(fields, descending, position))
    items = list(_with_images(products)[: limit + 1])
    # A search counts its matches no further than a shopper can page, whatever the order: an
    # exact count of a common word would read every match.
    bound = MAX_SEARCH_OFFSET if filters.query else None
    counted = matching.values("id")[: bound + 1] if bound else matching
    count = _counter(counted, items, first=position is None, limit=limit)
    next_cursor = None
    if len(items) > limit:
        items = items[:limit]
        last = items[-1]
        next_cursor = encode_cursor({f: str(getattr(last, f)) for f in fields})
    return ProductPage(items=items, next_cursor=next_cursor, count=count, bound=bound)


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
    ids: list[int], sort: ProductSort, position: dict[str, Any] | None, limit: int
) -> ProductPage:
    """A page of a search whose every match is known, sorted here: the sort keys of a few
    hundred products by id, never an ordered index walk past rows that do not match."""
    fields, descending = _KEYSET[sort]
    keys = sorted(Product.objects.filter(pk__in=ids).values_list(*fields), reverse=descending)
    if position is not None:
        cursor = _cursor_values(fields, position)
        keys = [key for key in keys if (key < cursor if descending else key > cursor)]
    page_ids = [key[1] for key in keys[: limit + 1]]
    by_id = {p.pk: p for p in _with_images(Product.objects.filter(pk__in=page_ids))}
    items = [by_id[pk] for pk in page_ids if pk in by_id]
    next_cursor = None
    if len(items) > limit:
        items = items[:limit]
        next_cursor = encode_cursor({f: str(getattr(items[-1], f)) for f in fields})
    total = len(ids)
    return ProductPage(
        items=items, next_cursor=next_cursor, count=lambda: total, bound=MAX_SEARCH_OFFSET
    )


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
    by_id = {p.pk: p for p in _with_images(Product.objects.filter(pk__in=page_ids))}
    items = [by_id[pk] for pk in page_ids if pk in by_id]
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


def related_products(product: Product, limit: int = 4) -> list[Product]:
    """Other products from the same category, newest first."""
    return list(
        _with_images(
            visible_products()
            .filter(category_id=product.category_id)
            .exclude(pk=product.pk)
            .order_by("-created_at", "-id")
        )[:limit]
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
