"""My orders: the list, one order with its timeline, cancelling, and the invoice as page or PDF.

Every page is the signed-in customer's own: an order of someone else and a number that does not
exist give the same 404 page, so an order number reveals nothing. The shipping address shown is
the customer's own, as they typed it at checkout.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from lumeire.core.errors import ApplicationError
from lumeire.invoicing.html import credit_note_context
from lumeire.invoicing.pdf import invoice_pdf
from lumeire.invoicing.qr import qr_png_data_uri
from lumeire.invoicing.selectors import credit_note_of_order
from lumeire.orders.errors import OrderNotFound
from lumeire.orders.models import Order, OrderStatus, PaymentMethod, PaymentStatus
from lumeire.orders.selectors import (
    ORDERS_PAGE_SIZE,
    order_credit_note_document,
    order_get_for_customer,
    order_invoice_document,
    order_timeline,
    orders_of_customer,
)
from lumeire.orders.services import order_cancel_by_customer
from lumeire.orders.transitions import customer_may_cancel
from lumeire.payments.gateway import CardBrand
from lumeire.storefront.account_access import private_page

# Statuses after which a parcel is on its way: the tracking number is worth showing.
WITH_TRACKING = frozenset({OrderStatus.SHIPPED, OrderStatus.DELIVERED})


def _own_order(request: HttpRequest, number: str) -> Order:
    try:
        return order_get_for_customer(customer=request.user, number=number)
    except OrderNotFound as missing:
        raise Http404 from missing


def _invoice_language(request: HttpRequest) -> str:
    return "ar" if (request.LANGUAGE_CODE or "").startswith("ar") else "en"


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


def _card_brand(order: Order) -> str:
    if order.payment_method != PaymentMethod.CARD or not order.card_brand:
        return ""
    try:
        return str(CardBrand(order.card_brand).label)
    except ValueError:
        return order.card_brand


def _order_page(
    request: HttpRequest, order: Order, *, refusal: str = "", status: int = 200
) -> HttpResponse:
    context = {
        "order": order,
        "lines": list(order.lines.all()),
        "timeline": order_timeline(order),
        "address_lines": order.address_lines(),
        "card_brand": _card_brand(order),
        "can_cancel": customer_may_cancel(order),
        "show_tracking": order.status in WITH_TRACKING and bool(order.tracking_number),
        "refusal": refusal,
        "credit_note": credit_note_of_order(order.pk),
    }
    return render(request, "storefront/orders/detail.html", context, status=status)


@require_GET
@private_page
def order_detail(request: HttpRequest, number: str) -> HttpResponse:
    """One order: lines, totals, payment, the address it goes to, and every step so far."""
    return _order_page(request, _own_order(request, number))


def _cancel_confirmation(request: HttpRequest, order: Order) -> HttpResponse:
    context = {"order": order, "refunds_card": order.payment_status == PaymentStatus.CAPTURED}
    return render(request, "storefront/orders/cancel.html", context)


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
        return _cancel_confirmation(request, order)
    try:
        order = order_cancel_by_customer(customer=request.user, order=order)
    except ApplicationError as error:
        return _order_page(request, order, refusal=error.message, status=error.status_code)
    if order.payment_status == PaymentStatus.REFUNDED:
        messages.success(request, _("Your order is cancelled and your card payment is refunded."))
    else:
        messages.success(request, _("Your order is cancelled."))
    return redirect("storefront:order", number=order.number)


@require_GET
@private_page
def order_invoice(request: HttpRequest, number: str) -> HttpResponse:
    """The simplified VAT invoice with its ZATCA QR code, in the page's language."""
    order = _own_order(request, number)
    document = order_invoice_document(order, _invoice_language(request))
    context = {
        "order": order,
        "document": document,
        "qr_data_uri": qr_png_data_uri(document.qr_payload()),
    }
    return render(request, "storefront/orders/invoice.html", context)


@require_GET
@private_page
def order_credit_note(request: HttpRequest, number: str) -> HttpResponse:
    """The credit note that cancelled the order's invoice, in the page's language; 404 if none."""
    order = _own_order(request, number)
    document = order_credit_note_document(order, _invoice_language(request))
    if document is None:
        raise Http404
    context = {"order": order, **credit_note_context(document)}
    return render(request, "storefront/orders/credit_note.html", context)


@require_GET
@private_page
def order_invoice_pdf(request: HttpRequest, number: str) -> HttpResponse:
    """The same invoice as a PDF to keep, named after the invoice number."""
    order = _own_order(request, number)
    document = order_invoice_document(order, _invoice_language(request))
    response = HttpResponse(invoice_pdf(document), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{document.number}.pdf"
    )
    return response
