"""Lazy reads behind the catalogue pages.

Templates cache their fragments by language, catalogue version and parameters; these objects
query only when a fragment is not cached, so a warm page costs no catalogue query at all.
A refusal (a forged cursor, an unknown option) surfaces as ``CatalogError`` while rendering,
and the view answers 400.
"""

from __future__ import annotations

from functools import cached_property

from django.conf import settings
from django.core.cache import caches
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from lumeire.catalog.cards import ProductCard
from lumeire.catalog.errors import CatalogError, CatalogErrorCode
from lumeire.catalog.models import Category, Product, Variant
from lumeire.catalog.selectors import (
    ProductFilters,
    ProductPage,
    category_ancestors,
    category_tree,
    featured_products,
    option_values,
    product_get,
    product_page,
    related_products,
)
from lumeire.catalog.services import catalog_version
from lumeire.storefront.shelf_query import ShelfQuery
from lumeire.storefront.structured_data import product_json_ld

_REQUEST_ATTRIBUTE = "_lumeire_catalogue"
TREE_LIFETIME_SECONDS = 3600


class StoreCatalogue:
    """What every page's header needs: the catalogue version and the category menu."""

    @cached_property
    def version(self) -> int:
        return catalog_version()

    @cached_property
    def tree(self) -> list[tuple[Category, int]]:
        """The category tree with branch counts, counted once per catalogue version."""
        return caches["default"].get_or_set(
            f"catalog:tree:{self.version}", category_tree, timeout=TREE_LIFETIME_SECONDS
        )

    @cached_property
    def counts(self) -> dict[int, int]:
        return {category.pk: count for category, count in self.tree}

    @cached_property
    def top(self) -> list[tuple[Category, int]]:
        """Top-level categories that have something to sell, in the staff's order."""
        shown = [(c, n) for c, n in self.tree if c.parent_id is None and n > 0]
        return sorted(shown, key=lambda pair: (pair[0].position, pair[0].pk))

    def children_of(self, category: Category) -> list[tuple[Category, int]]:
        return [(c, n) for c, n in self.tree if c.parent_id == category.pk and n > 0]


def store_catalogue(request: HttpRequest | None) -> StoreCatalogue:
    """One lazy catalogue per request, shared by the header and the page."""
    if request is None:
        return StoreCatalogue()
    found = getattr(request, _REQUEST_ATTRIBUTE, None)
    if found is None:
        found = StoreCatalogue()
        setattr(request, _REQUEST_ATTRIBUTE, found)
    return found


class HomeShelves:
    """The home page: featured products and the top categories."""

    def __init__(self, catalogue: StoreCatalogue) -> None:
        self.catalogue = catalogue

    @cached_property
    def featured(self) -> list[ProductCard]:
        return featured_products(8)

    @property
    def categories(self) -> list[tuple[Category, int]]:
        return self.catalogue.top


class ProductShelf:
    """One page of a category's products or of search results, with its filter menu."""

    def __init__(
        self, query: ShelfQuery, catalogue: StoreCatalogue, category: Category | None = None
    ) -> None:
        self.query = query
        self.category = category
        self.catalogue = catalogue

    @cached_property
    def filters(self) -> ProductFilters:
        return self.query.filters(self.category)

    @cached_property
    def option_menu(self) -> list[tuple[str, list[str]]]:
        """Option names and values on sale in this category (none for search results)."""
        if self.category is None:
            return []
        return list(option_values(self.filters).items())

    @cached_property
    def page(self) -> ProductPage:
        # Only options this shelf offers may filter it: the names reach a JSON key lookup.
        known = dict(self.option_menu) if self.query.options else {}
        for name, value in self.query.options:
            if value not in known.get(name, ()):
                message = _("Choose an option from the list.")
                raise CatalogError(
                    CatalogErrorCode.INVALID_INPUT, message, field_errors={"options": [message]}
                )
        return product_page(self.filters, limit=self.query.limit, cursor=self.query.cursor)

    @property
    def next_link(self) -> str:
        cursor = self.page.next_cursor
        return self.query.link(cursor=cursor) if cursor else ""

    @property
    def first_link(self) -> str:
        return self.query.link(cursor=None) if self.query.cursor else ""

    @cached_property
    def ancestors(self) -> list[Category]:
        return category_ancestors(self.category) if self.category else []

    @property
    def subcategories(self) -> list[tuple[Category, int]]:
        return self.catalogue.children_of(self.category) if self.category else []

    @property
    def branch_count(self) -> int:
        return self.catalogue.counts.get(self.category.pk, 0) if self.category else 0


class ProductDetail:
    """A product page's reads; a product that is hidden or unknown is a 404 when first read."""

    def __init__(self, slug: str, chosen_sku: str = "") -> None:
        self.slug = slug
        self.chosen_sku = chosen_sku

    @cached_property
    def product(self) -> Product:
        found = product_get(self.slug)
        if found is None:
            raise Http404
        return found

    @cached_property
    def variants(self) -> list[Variant]:
        return list(self.product.variants.all())

    @cached_property
    def chosen(self) -> Variant | None:
        """The variant ticked: the one asked for, else the first in stock, else the first."""
        by_sku = {variant.sku: variant for variant in self.variants}
        if self.chosen_sku in by_sku:
            return by_sku[self.chosen_sku]
        return next((v for v in self.variants if v.stock > 0), None) or next(
            iter(self.variants), None
        )

    @property
    def sold_out(self) -> bool:
        return not any(variant.stock > 0 for variant in self.variants)

    @cached_property
    def images(self) -> list:
        return list(self.product.images.all())

    @cached_property
    def ancestors(self) -> list[Category]:
        return category_ancestors(self.product.category)

    @cached_property
    def related(self) -> list[ProductCard]:
        return related_products(self.product, 4)

    @cached_property
    def json_ld(self) -> str:
        return product_json_ld(
            self.product, self.variants, self.images, site_url=settings.LUMEIRE_SITE_URL
        )
