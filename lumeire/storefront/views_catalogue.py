"""Catalogue pages: home, category, product and search.

Each view parses the query string, hands lazy selectors to the template and renders; the
template's cached fragments decide what is actually read. A refusal raised while reading
(a forged cursor, an unknown option) becomes a 400 page that says what to change.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from lumeire.cart.errors import CartError
from lumeire.catalog.errors import CatalogError
from lumeire.catalog.selectors import category_get
from lumeire.storefront.cart_access import shopper_cart_add
from lumeire.storefront.page_cache import shared_for_visitors_without_session
from lumeire.storefront.shelf_query import (
    MAX_QUERY_LENGTH,
    SORT_CHOICES,
    ShelfQuery,
    parse_shelf_query,
    refusal_lines,
)
from lumeire.storefront.shelves import HomeShelves, ProductDetail, ProductShelf, store_catalogue

MAX_SKU_LENGTH = 64


def _shelf_page(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    """Render a product list; a refusal, found in the query string or while reading the
    catalogue, is shown on the same page with status 400."""
    if context["refusal"]:
        return render(request, template, context, status=400)
    try:
        return render(request, template, context)
    except CatalogError as error:
        context = {**context, "refusal": refusal_lines(error)}
        return render(request, template, context, status=400)


def _shelf_query(request: HttpRequest) -> tuple[ShelfQuery, list[str]]:
    try:
        return parse_shelf_query(request.GET), []
    except CatalogError as error:
        text = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
        return ShelfQuery(text=text), refusal_lines(error)


@require_GET
@shared_for_visitors_without_session
def home(request: HttpRequest) -> HttpResponse:
    """Featured products and the top categories, with the store's privacy promise."""
    context = {
        "shelves": HomeShelves(store_catalogue(request)),
        "canonical_path": reverse("storefront:home"),
    }
    return render(request, "storefront/home.html", context)


@require_GET
@shared_for_visitors_without_session
def category(request: HttpRequest, slug: str) -> HttpResponse:
    """A category's products and those of its children, filtered, sorted, a page at a time."""
    found = category_get(slug)
    if found is None:
        raise Http404
    query, refusal = _shelf_query(request)
    context = {
        "category": found,
        "shelf": ProductShelf(query, store_catalogue(request), found),
        "sort_choices": SORT_CHOICES,
        "refusal": refusal,
        "canonical_path": reverse("storefront:category", kwargs={"slug": found.slug}),
    }
    return _shelf_page(request, "storefront/catalogue/category.html", context)


@require_GET
@shared_for_visitors_without_session
def search(request: HttpRequest) -> HttpResponse:
    """Search results by relevance; no results suggests what to try next."""
    query, refusal = _shelf_query(request)
    context = {
        "shelf": ProductShelf(query, store_catalogue(request)),
        "sort_choices": SORT_CHOICES,
        "refusal": refusal,
        "search_text": query.text,
        "canonical_path": reverse("storefront:search") + query.clear_link.rstrip("?"),
    }
    return _shelf_page(request, "storefront/catalogue/search.html", context)


def _short(raw: str, length: int) -> str:
    raw = raw.strip()
    return raw if len(raw) <= length else ""


@require_http_methods(["GET", "POST"])
@shared_for_visitors_without_session
def product(request: HttpRequest, slug: str) -> HttpResponse:
    """A product with its gallery and variants; posting its form adds the chosen one to the cart.

    A refused addition shows the product again with the reason and status 400, the cart as it was.
    """
    refusal = ""
    if request.method == "POST":
        sku = _short(request.POST.get("sku", ""), MAX_SKU_LENGTH)
        quantity = _short(request.POST.get("quantity", ""), 4)
        try:
            line = shopper_cart_add(request, sku=sku, quantity=quantity)
        except CartError as error:
            refusal = error.message
        else:
            name = line.variant.product.name
            messages.success(request, _("%(product)s is in your cart.") % {"product": name})
            return redirect("storefront:cart")
    else:
        sku, quantity = _short(request.GET.get("variant", ""), MAX_SKU_LENGTH), "1"
    context = {
        "detail": ProductDetail(slug, sku),
        "quantity": quantity if quantity.isdigit() else "1",
        "refusal": refusal,
        "canonical_path": reverse("storefront:product", kwargs={"slug": slug}),
    }
    return render(
        request, "storefront/catalogue/product.html", context, status=400 if refusal else 200
    )
