"""Catalogue records for tests, made through the catalogue services."""

from __future__ import annotations

import itertools
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from lumeire.catalog.models import Category, Product, Variant
from lumeire.catalog.services import category_save, product_save, variant_save

_serial = itertools.count(1)


def make_category(slug: str | None = None, *, parent: Category | None = None, **values) -> Category:
    number = next(_serial)
    return category_save(
        category=Category(
            slug=slug or f"category-{number}",
            parent=parent,
            name_en=values.pop("name_en", f"Category {number}"),
            name_ar=values.pop("name_ar", f"فئة {number}"),
            **values,
        )
    )


def make_product(
    *,
    category: Category,
    price: str = "100.00",
    stock: int = 5,
    options: dict | None = None,
    variants: list[dict] | None = None,
    age_days: int = 0,
    **values,
) -> Product:
    number = next(_serial)
    product = product_save(
        product=Product(
            category=category,
            slug=values.pop("slug", f"product-{number}"),
            name_en=values.pop("name_en", f"Product {number}"),
            name_ar=values.pop("name_ar", f"منتج {number}"),
            created_at=timezone.now() - timedelta(days=age_days),
            **values,
        )
    )
    for index, spec in enumerate(
        variants or [{"price": price, "stock": stock, "options": options}]
    ):
        variant_save(
            variant=Variant(
                product=product,
                sku=spec.get("sku", f"SKU-{number}-{index}"),
                price=Decimal(str(spec.get("price", price))),
                stock=spec.get("stock", stock),
                options=spec.get("options") or {},
            )
        )
    product.refresh_from_db()
    return product


def make_lamp_shelf() -> Category:
    """The "Home" shelf with a brass table lamp (LAMP, 80.00, 7 in stock), as the browser
    checkout journeys buy it."""
    home = make_category("home", name_en="Home", name_ar="المنزل")
    make_product(
        category=home,
        slug="brass-table-lamp",
        name_en="Brass table lamp",
        name_ar="مصباح نحاسي",
        variants=[{"sku": "LAMP", "price": "80.00", "stock": 7}],
    )
    return home
