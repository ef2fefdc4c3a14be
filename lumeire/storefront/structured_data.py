"""Product structured data (schema.org JSON-LD) for search engines and link previews."""

from __future__ import annotations

import json
from collections.abc import Sequence
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from lumeire.catalog.models import Product, ProductImage, Variant
from lumeire.core.money import gross_price

# Inside <script>, "</script>" or "<!--" in a product's text must not end the element.
_SCRIPT_SAFE = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def script_safe_json(data: object) -> SafeString:
    """JSON that can sit inside a <script> element whatever the strings contain."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return mark_safe(text.translate(_SCRIPT_SAFE))  # noqa: S308 - every "<", ">" and "&" escaped


def _availability(variant: Variant) -> str:
    return "https://schema.org/InStock" if variant.stock > 0 else "https://schema.org/OutOfStock"


def product_json_ld(
    product: Product,
    variants: Sequence[Variant],
    images: Sequence[ProductImage],
    *,
    site_url: str,
) -> SafeString:
    """A schema.org Product with one Offer per variant, priced with VAT in the store currency."""
    site = site_url.rstrip("/")
    url = site + reverse("storefront:product", kwargs={"slug": product.slug})
    offers = [
        {
            "@type": "Offer",
            "sku": variant.sku,
            "price": f"{gross_price(variant.price):.2f}",
            "priceCurrency": settings.LUMEIRE_CURRENCY,
            "availability": _availability(variant),
            "itemCondition": "https://schema.org/NewCondition",
            "url": f"{url}?{urlencode({'variant': variant.sku})}",
        }
        for variant in variants
    ]
    data: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": product.name,
        "url": url,
        "category": product.category.name,
        "offers": offers,
    }
    if product.description:
        data["description"] = product.description
    if variants:
        data["sku"] = variants[0].sku
    pictures = [site + image.display.url for image in images if image.display]
    if pictures:
        data["image"] = pictures
    return script_safe_json(data)
