"""The sitemap: every shown category and product, in English and Arabic, each naming the other.

Addresses are built from LUMEIRE_SITE_URL (as canonical links are), never from the request's
Host header.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import sitemaps
from django.db.models import QuerySet
from django.urls import reverse

from lumeire.catalog.models import Category, Product
from lumeire.catalog.selectors import category_tree, visible_products


def site_parts() -> tuple[str, str]:
    """The configured site's scheme and host."""
    parts = urlsplit(settings.LUMEIRE_SITE_URL)
    return parts.scheme or "https", parts.netloc


class _StoreSitemap(sitemaps.Sitemap):
    i18n = True
    alternates = True
    x_default = True

    def get_protocol(self, protocol: str | None = None) -> str:
        return site_parts()[0]

    def get_domain(self, site: object = None) -> str:
        return site_parts()[1]


class CategorySitemap(_StoreSitemap):
    changefreq = "daily"
    priority = 0.6

    def items(self) -> list[Category]:
        return [category for category, count in category_tree() if count > 0]

    def location(self, item: Category) -> str:
        return reverse("storefront:category", kwargs={"slug": item.slug})


class ProductSitemap(_StoreSitemap):
    changefreq = "weekly"
    priority = 0.8
    # Each product appears once per language: 2 × 5,000 addresses per page, well under 50,000.
    limit = 5000

    def items(self) -> QuerySet[Product]:
        return visible_products().order_by("id").only("id", "slug")

    def location(self, item: Product) -> str:
        return reverse("storefront:product", kwargs={"slug": item.slug})


SITEMAPS: dict[str, type[sitemaps.Sitemap]] = {
    "categories": CategorySitemap,
    "products": ProductSitemap,
}
