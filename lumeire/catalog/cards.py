"""Product cards: what every product list shows of a product, read once per catalogue version.

A list (category page, search results, home, related products, the API) first finds which
products to show, by id, then asks for their cards. A card holds the names in both
languages, the shelf price and whether other variants cost more ("from"), stock, the age
limit and the name of its first photo's thumbnail. Cards are kept in the default cache
(Redis across nodes, else each worker's memory) under the catalogue version, which every
edit, sale of the last item and restock retires, like the cached pages. A list whose cards
are all cached reads no product, variant or image row at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.core.cache import caches
from django.db.models import Max, Min, Prefetch, Q
from django.utils.translation import get_language

from lumeire.catalog.models import Product, ProductImage
from lumeire.catalog.services import catalog_version

CARD_LIFETIME_SECONDS = 3600
_FIELDS = ("slug", "name_en", "name_ar", "min_price", "in_stock", "min_age", "created_at")


@dataclass(frozen=True)
class ProductCard:
    pk: int
    slug: str
    name_en: str
    name_ar: str
    min_price: Decimal  # the lowest shelf price (VAT included)
    in_stock: bool
    min_age: int | None
    created_at: datetime
    from_price: bool  # its live variants sell at different prices: the card says "From"
    picture: str  # the storage name of the first photo's thumbnail (or original), or ""

    @property
    def id(self) -> int:  # the keyset cursor's tie-breaker, as on a product
        return self.pk

    @property
    def name(self) -> str:
        return self.name_ar if (get_language() or "en").startswith("ar") else self.name_en

    @property
    def picture_url(self) -> str:
        """The picture's address, made when shown (a bucket's links are signed and expire)."""
        if not self.picture:
            return ""
        return ProductImage._meta.get_field("thumbnail").storage.url(self.picture)


def _key(version: int, pk: int) -> str:
    return f"catalog:card:{version}:{pk}"


def _read(ids: Iterable[int]) -> dict[int, ProductCard]:
    """Cards from the database: two queries (products with their price spread, and photos)."""
    live = Q(variants__is_active=True)
    products = (
        Product.objects.filter(pk__in=ids)
        .only(*_FIELDS)
        .annotate(
            lowest=Min("variants__price", filter=live), highest=Max("variants__price", filter=live)
        )
        .prefetch_related(
            Prefetch("images", queryset=ProductImage.objects.order_by("position", "id"))
        )
    )
    cards = {}
    for product in products:
        first = next(iter(product.images.all()), None)
        picture = (first.thumbnail or first.original).name if first else ""
        cards[product.pk] = ProductCard(
            pk=product.pk,
            slug=product.slug,
            name_en=product.name_en,
            name_ar=product.name_ar,
            min_price=product.min_price,
            in_stock=product.in_stock,
            min_age=product.min_age,
            created_at=product.created_at,
            from_price=product.lowest != product.highest,
            picture=picture or "",
        )
    return cards


def product_cards(ids: list[int]) -> list[ProductCard]:
    """The cards of ``ids``, in that order; a product gone since is left out."""
    if not ids:
        return []
    cache = caches["default"]
    version = catalog_version()
    keys = {pk: _key(version, pk) for pk in dict.fromkeys(ids)}
    found = cache.get_many(list(keys.values()))
    cards = {pk: found[key] for pk, key in keys.items() if key in found}
    missing = [pk for pk in keys if pk not in cards]
    if missing:
        read = _read(missing)
        cache.set_many({keys[pk]: card for pk, card in read.items()}, CARD_LIFETIME_SECONDS)
        cards.update(read)
    return [cards[pk] for pk in ids if pk in cards]
