"""Template helpers of cookie consent: the recently viewed list, cookie lifetimes in words."""

from __future__ import annotations

from datetime import timedelta

from django import template

from lumeire.catalog.selectors import product_get
from lumeire.privacy.cookies import lifetime_words as cookie_lifetime_words
from lumeire.privacy.middleware import recently_viewed_slugs

register = template.Library()

RECENTLY_VIEWED_SHOWN = 4


@register.simple_tag(takes_context=True)
def recently_viewed(context: template.Context) -> list:
    """The products the visitor viewed last (if they accepted that cookie), minus this page's."""
    request = context.get("request")
    if request is None:
        return []
    match = getattr(request, "resolver_match", None)
    current = match.kwargs.get("slug") if match is not None else None
    products = []
    for slug in recently_viewed_slugs(request):
        if slug == current:
            continue
        product = product_get(slug)
        if product is not None:
            products.append(product)
        if len(products) == RECENTLY_VIEWED_SHOWN:
            break
    return products


@register.filter
def lifetime_words(lifetime: timedelta | None) -> str:
    """A cookie's lifetime as a person says it: "30 minutes", "180 days", "1 year" (the same
    words as the privacy policy's, from the cookie registry)."""
    if lifetime is None:
        return ""
    return cookie_lifetime_words(lifetime)
