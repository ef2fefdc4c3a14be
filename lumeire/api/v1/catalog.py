"""/api/v1/catalog/: the category tree, product lists with filters and search, one product.

Query values arrive as text and are parsed by the catalogue's own parsers, so a bad value is a
400 keyed by the parameter with the same sentence the storefront shows.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router

from lumeire.api.schemas import ErrorSchema
from lumeire.api.v1.catalog_schemas import (
    CategoryOut,
    ProductCardOut,
    ProductOut,
    ProductPageOut,
    ProductQuery,
)
from lumeire.catalog.errors import CatalogError, CatalogErrorCode
from lumeire.catalog.search import spelling_suggestion
from lumeire.catalog.selectors import (
    ProductFilters,
    category_get,
    category_tree,
    parse_limit,
    parse_price,
    parse_sort,
    product_get,
    product_page,
)

router = Router(tags=["catalogue"])

_YES = {"1", "true", "yes", "on"}
_NO = {"0", "false", "no", "off", ""}


def _refused(field: str, message: str) -> CatalogError:
    return CatalogError(CatalogErrorCode.INVALID_INPUT, message, field_errors={field: [message]})


def _flag(raw: str | None, field: str) -> bool:
    lowered = (raw or "").strip().lower()
    if lowered in _YES:
        return True
    if lowered in _NO:
        return False
    raise _refused(field, _("Use true or false."))


def _filters(params: ProductQuery) -> ProductFilters:
    category = None
    if params.category:
        category = category_get(params.category)
        if category is None:
            raise _refused("category", _("No such category."))
    return ProductFilters(
        category=category,
        query=params.q or "",
        min_price=parse_price(params.min_price, "min_price"),
        max_price=parse_price(params.max_price, "max_price"),
        in_stock=_flag(params.in_stock, "in_stock"),
        sort=parse_sort(params.sort),
    )


@router.get("/categories", response={200: list[CategoryOut]})
def categories(request: HttpRequest):
    """Every shown category in tree order, named in the request's language, with the number of
    products in its whole branch."""
    return CategoryOut.tree(category_tree())


@router.get("/products", response={200: ProductPageOut, 400: ErrorSchema})
def products(request: HttpRequest, params: Query[ProductQuery]):
    """One page of visible products; follow ``next_cursor`` until it is null."""
    filters = _filters(params)
    page = product_page(filters, limit=parse_limit(params.limit), cursor=params.cursor)
    suggestion = (
        spelling_suggestion(filters.query, found_nothing=not page.items) if filters.query else ""
    )
    return {
        "items": [ProductCardOut.of(request, product) for product in page.items],
        "next_cursor": page.next_cursor,
        "did_you_mean": suggestion or None,
    }


@router.get("/products/{slug}", response={200: ProductOut, 404: ErrorSchema})
def product(request: HttpRequest, slug: str):
    """A visible product with its images and live variants; hidden and unknown are both 404."""
    found = product_get(slug)
    if found is None:
        raise Http404
    return ProductOut.of(request, found)
