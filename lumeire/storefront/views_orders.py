"""My orders: the list, one order with its timeline, cancelling, and the invoice as page or PDF.

Every page is the signed-in customer's own: an order of someone else and a number that does not
exist give the same 404 page, so an order number reveals nothing. The shipping address shown is
the customer's own, as they typed it at checkout.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from lumeire.core.errors import ApplicationError
from lumeire.orders.errors import OrderNotFound
from lumeire.orders.models import Order
from lumeire.orders.selectors import (
    ORDERS_PAGE_SIZE,
    order_get_for_customer,
    orders_of_customer,
)
from lumeire.orders.services import order_cancel_by_customer
from lumeire.orders.transitions import customer_may_cancel
from lumeire.storefront import order_pages
from lumeire.storefront.account_access import private_page


def _own_order(request: HttpRequest, number: str) -> Order:
    try:
        return order_get_for_customer(customer=request.user, number=number)
    except OrderNotFound as missing:
        raise Http404 from missing


@require_GET
@private_page
def order_list(request: HttpRequest) -> HttpResponse:
    """The customer's orders, newest first; ``?before=<number>`` shows the next page."""
    before_number = request.GET.get("before", "")
    before = _own_order(request, before_number) if before_number else None
    orders = orders_of_customer(customer=request.user, before=before)
    more = orders[-1].number if len(orders) == ORDERS_PAGE_SIZE else ""
    context = {"orders": orders, "next_before": more, "is_first_page": before is None}
    return render(request, "storefront/orders/list.html", context)


@require_GET
@private_page
def order_detail(request: HttpRequest, number: str) -> HttpResponse:
    """One order: lines, totals, payment, the address it goes to, and every step so far."""
    return order_pages.order_page(request, _own_order(request, number), guest=False)


@require_http_methods(["GET", "POST"])
@private_page
def order_cancel(request: HttpRequest, number: str) -> HttpResponse:
    """Cancel while the parcel is not packed yet; later, the order stays as it is.

    GET asks first, saying what cancelling does; only a POST carrying the confirmation's
    ``confirm=yes`` cancels (any other POST shows the question again and changes nothing).
    """
    order = _own_order(request, number)
    confirmed = request.method == "POST" and request.POST.get("confirm") == "yes"
    if not confirmed:
        if not customer_may_cancel(order):
            return redirect("storefront:order", number=order.number)
        return order_pages.cancel_question(request, order, guest=False)
    try:
        order = order_cancel_by_customer(customer=request.user, order=order)
    except ApplicationError as error:
        return order_pages.order_page(
            request, order, guest=False, refusal=error.message, status=error.status_code
        )
    order_pages.say_cancelled(request, order)
    return redirect("storefront:order", number=order.number)


@require_GET
@private_page
def order_invoice(request: HttpRequest, number: str) -> HttpResponse:
    """The simplified VAT invoice with its ZATCA QR code, in the page's language."""
    return order_pages.invoice_page(request, _own_order(request, number), guest=False)


@require_GET
@private_page
def order_credit_note(request: HttpRequest, number: str) -> HttpResponse:
    """The credit note that cancelled the order's invoice, in the page's language; 404 if none."""
    return order_pages.credit_note_page(request, _own_order(request, number), guest=False)


@require_GET
@private_page
def order_credit_note_pdf(request: HttpRequest, number: str) -> HttpResponse:
    """The credit note as a PDF to keep, named after its number; 404 if there is none."""
    return order_pages.credit_note_download(request, _own_order(request, number))


@require_GET
@private_page
def order_invoice_pdf(request: HttpRequest, number: str) -> HttpResponse:
    """The same invoice as a PDF to keep, named after the invoice number."""
    return order_pages.invoice_download(request, _own_order(request, number))
