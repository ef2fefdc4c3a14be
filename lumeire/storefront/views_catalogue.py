"""Catalogue pages: home, category, product and search.

Each view parses the query string, hands lazy selectors to the template and renders; the
template's cached fragments decide what is actually read. A refusal raised while reading
(a forged cursor, an unknown option) becomes a 400 page that says what to change.
"""

from __future__ import annotations

from functools import cached_property
from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from lumeire.cart.errors import CartError
from lumeire.catalog.errors import CatalogError
from lumeire.catalog.models import ProductImage
from lumeire.catalog.search import spelling_suggestion
from lumeire.catalog.selectors import category_get
from lumeire.storefront.cart_access import shopper_cart_add, shopper_cart_summary
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


class DidYouMean:
    """The query with its typos corrected, read only when the results fragment is rendered."""

    def __init__(self, shelf: ProductShelf) -> None:
        self.shelf = shelf

    @cached_property
    def text(self) -> str:
        if not self.shelf.query.text:
            return ""
        found_nothing = not self.shelf.page.items
        return spelling_suggestion(self.shelf.query.text, found_nothing=found_nothing)

    @property
    def link(self) -> str:
        return reverse("storefront:search") + "?" + urlencode({"q": self.text})


@require_GET
@shared_for_visitors_without_session
def search(request: HttpRequest) -> HttpResponse:
    """Search results by relevance; a typo corrected or nothing found offers a better query."""
    query, refusal = _shelf_query(request)
    shelf = ProductShelf(query, store_catalogue(request))
    context = {
        "shelf": shelf,
        "did_you_mean": DidYouMean(shelf),
        "sort_choices": SORT_CHOICES,
        "refusal": refusal,
        "search_text": query.text,
        "canonical_path": reverse("storefront:search") + query.clear_link.rstrip("?"),
    }
    return _shelf_page(request, "storefront/catalogue/search.html", context)


def _short(raw: str, length: int) -> str:
    raw = raw.strip()
    return raw if len(raw) <= length else ""


def _chosen_sku(request: HttpRequest, slug: str) -> str:
    """The SKU posted, or the variant whose options match the swatches ticked (``opt_<name>``)."""
    sku = _short(request.POST.get("sku", ""), MAX_SKU_LENGTH)
    chosen = {
        key.removeprefix("opt_"): _short(value, MAX_SKU_LENGTH)
        for key, value in request.POST.items()
        if key.startswith("opt_")
    }
    if sku or not chosen:
        return sku
    for variant in ProductDetail(slug).variants:
        options = {str(k): str(v) for k, v in (variant.options or {}).items()}
        if options == chosen:
            return variant.sku
    return ""


def _wants_json(request: HttpRequest) -> bool:
    """The page's script asks for the cart's new state rather than a redirect."""
    return request.headers.get("Accept", "").startswith("application/json")


def _cart_drawer(request: HttpRequest, line) -> JsonResponse:
    """The cart after an addition: the header's count and the drawer the script opens."""
    summary = shopper_cart_summary(request)  # first read in this request: after the addition
    prefetch_related_objects(
        [priced.line.variant.product for priced in summary.lines],
        Prefetch("images", queryset=ProductImage.objects.order_by("position", "id")),
    )
    count = summary.item_count
    drawer = render_to_string(
        "storefront/cart/_drawer.html", {"summary": summary, "added": line}, request=request
    )
    label = ngettext("Cart, %(counter)s item", "Cart, %(counter)s items", count) % {
        "counter": count
    }
    return JsonResponse({"count": count, "countLabel": label, "drawer": drawer})


@require_http_methods(["GET", "POST"])
@shared_for_visitors_without_session
def product(request: HttpRequest, slug: str) -> HttpResponse:
    """A product with its gallery and variants; posting its form adds the chosen one to the cart.

    A refused addition shows the product again with the reason and status 400, the cart as it was.
    Asked for JSON (by the page's script), it answers the cart's new state, or the refusal.
    """
    refusal = ""
    if request.method == "POST":
        sku = _chosen_sku(request, slug)
        quantity = _short(request.POST.get("quantity", ""), 4)
        try:
            line = shopper_cart_add(request, sku=sku, quantity=quantity)
        except CartError as error:
            if _wants_json(request):
                return JsonResponse({"error": error.message}, status=error.status_code)
            refusal = error.message
        else:
            if _wants_json(request):
                return _cart_drawer(request, line)
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
