"""Response bodies of /api/v1/catalog/, named exactly as API.md promises.

Prices are shelf prices (VAT included), in the contract's money shape; names and descriptions
are in the request's language; image addresses are absolute, for apps that have no base URL.
"""

from __future__ import annotations

from django.db.models.fields.files import FieldFile
from django.http import HttpRequest
from ninja import Schema
from pydantic import Field

from lumeire.api.schemas import MoneyOut
from lumeire.catalog.cards import ProductCard
from lumeire.catalog.models import Category, Product, ProductImage, Variant
from lumeire.core.money import Money, gross_price


class CategoryOut(Schema):
    slug: str
    name: str
    parent: str | None
    product_count: int

    @classmethod
    def tree(cls, rows: list[tuple[Category, int]]) -> list[CategoryOut]:
        """Every category a shopper can reach, parents first.

        ``rows`` come in tree order, so a category whose parent was not kept (hidden) is
        dropped with its whole branch.
        """
        slugs: dict[int, str] = {}
        kept = []
        for category, count in rows:
            if category.parent_id is not None and category.parent_id not in slugs:
                continue
            slugs[category.pk] = category.slug
            parent = slugs.get(category.parent_id) if category.parent_id else None
            kept.append(
                cls(slug=category.slug, name=category.name, parent=parent, product_count=count)
            )
        return kept


def _absolute(request: HttpRequest, file: FieldFile) -> str | None:
    return request.build_absolute_uri(file.url) if file else None


def _display(request: HttpRequest, image: ProductImage) -> str | None:
    return _absolute(request, image.display) or _absolute(request, image.original)


class ProductQuery(Schema):
    """The list's query string, kept as text: the catalogue's parsers give the refusals."""

    q: str | None = Field(None, description="Words to search for, in English or Arabic.")
    category: str | None = Field(None, description="A category's slug; includes its children.")
    min_price: str | None = Field(
        None,
        description="Lowest shelf price (VAT included). Price and stock filters apply to the "
        "same variant: a product matches when one of its variants meets them all.",
    )
    max_price: str | None = Field(None, description="Highest shelf price (VAT included).")
    in_stock: str | None = Field(None, description="true: only products that can be bought.")
    sort: str | None = Field(
        None,
        description="relevance (the default; newest first without q), price, -price or newest.",
    )
    limit: str | None = Field(None, description="Items per page, 1 to 100; 24 by default.")
    cursor: str | None = Field(None, description="The next_cursor of the previous page.")


class ProductCardOut(Schema):
    slug: str
    name: str
    price: MoneyOut
    image: str | None
    in_stock: bool

    @classmethod
    def of(cls, request: HttpRequest, card: ProductCard) -> ProductCardOut:
        picture = card.picture_url
        return cls(
            slug=card.slug,
            name=card.name,
            price=Money.of(card.min_price).as_api(),
            image=request.build_absolute_uri(picture) if picture else None,
            in_stock=card.in_stock,
        )


class ProductPageOut(Schema):
    items: list[ProductCardOut]
    next_cursor: str | None
    did_you_mean: str | None = Field(
        None,
        description="With q: the query with its typos corrected, when a typo was forgiven or "
        "nothing was found; otherwise null.",
    )


class VariantOut(Schema):
    sku: str
    options: dict[str, str]
    price: MoneyOut
    in_stock: bool

    @classmethod
    def of(cls, variant: Variant) -> VariantOut:
        return cls(
            sku=variant.sku,
            options={str(name): str(value) for name, value in (variant.options or {}).items()},
            price=Money.of(gross_price(variant.price)).as_api(),
            in_stock=variant.stock > 0,
        )


class ProductOut(Schema):
    slug: str
    name: str
    description: str
    category: str
    images: list[str]
    variants: list[VariantOut]
    min_age: int | None

    @classmethod
    def of(cls, request: HttpRequest, product: Product) -> ProductOut:
        images = [_display(request, image) for image in product.images.all()]
        return cls(
            slug=product.slug,
            name=product.name,
            description=product.description,
            category=product.category.slug,
            images=[url for url in images if url],
            variants=[VariantOut.of(variant) for variant in product.variants.all()],
            min_age=product.min_age,
        )
