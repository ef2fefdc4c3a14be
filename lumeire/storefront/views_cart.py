"""The cart page: change quantities, remove lines, see subtotal, VAT and total.

Prices are read from the catalogue on every view, never from the form. A refused change
re-renders the cart as it is, with the reason and status 400 (404 for a line that is not
in this cart).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from lumeire.cart.errors import CartError, CartErrorCode, CartLineMissing
from lumeire.cart.services import cart_remove, cart_set_quantity
from lumeire.catalog.models import ProductImage
from lumeire.storefront.cart_access import shopper_cart, shopper_cart_summary


def _cart_page(request: HttpRequest, *, refusal: CartError | None = None, line_id: int = 0):
    summary = shopper_cart_summary(request)
    # One query for every line's photo, rather than one per line.
    prefetch_related_objects(
        [priced.line.variant.product for priced in summary.lines],
        Prefetch("images", queryset=ProductImage.objects.order_by("position", "id")),
    )
    context = {
        "summary": summary,
        "refusal": refusal.message if refusal else "",
        "refused_line": line_id,
        # Shown beside that line's quantity when the line is in the cart, else at the top.
        "refused_line_shown": any(priced.line.pk == line_id for priced in summary.lines),
        "vat_rate": settings.LUMEIRE_VAT_RATE,
        "canonical_path": reverse("storefront:cart"),
    }
    return render(
        request,
        "storefront/cart/cart.html",
        context,
        status=refusal.status_code if refusal else 200,
    )


@never_cache
@require_GET
def cart(request: HttpRequest) -> HttpResponse:
    """The shopper's cart, priced now."""
    return _cart_page(request)


def _missing_line() -> CartLineMissing:
    return CartLineMissing(CartErrorCode.UNKNOWN_LINE, _("This line is not in your cart."))


@require_POST
def cart_line_update(request: HttpRequest, line_id: int) -> HttpResponse:
    """Set a line's quantity; more than the stock or a bad number changes nothing."""
    found = shopper_cart(request)
    try:
        if found is None:
            raise _missing_line()
        cart_set_quantity(cart=found, line_id=line_id, quantity=request.POST.get("quantity"))
    except CartError as error:
        return _cart_page(request, refusal=error, line_id=line_id)
    messages.success(request, _("The quantity is updated."))
    return redirect("storefront:cart")


@require_POST
def cart_line_remove(request: HttpRequest, line_id: int) -> HttpResponse:
    """Take a line out of the cart."""
    found = shopper_cart(request)
    try:
        if found is None:
            raise _missing_line()
        cart_remove(cart=found, line_id=line_id)
    except CartError as error:
        return _cart_page(request, refusal=error, line_id=line_id)
    messages.success(request, _("The item is removed from your cart."))
    return redirect("storefront:cart")
