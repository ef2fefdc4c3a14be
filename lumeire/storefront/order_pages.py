"""What a customer's order pages and a guest's have in common: the order page, the question
before cancelling and what is said after, the invoice as a page or a PDF, the credit note.

The views decide whose order it is (``views_orders`` the signed-in customer's, ``views_guest``
the one the emailed link opened); these draw it, ``guest`` choosing the links.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from lumeire.invoicing.credit_note import CreditNoteDocument
from lumeire.invoicing.html import credit_note_context
from lumeire.invoicing.pdf import credit_note_pdf, invoice_pdf
from lumeire.invoicing.qr import qr_png_data_uri
from lumeire.invoicing.selectors import credit_note_of_order
from lumeire.orders import guests
from lumeire.orders.models import Order, OrderStatus, PaymentMethod, PaymentStatus
from lumeire.orders.selectors import (
    order_credit_note_document,
    order_invoice_document,
    order_timeline,
)
from lumeire.orders.transitions import customer_may_cancel
from lumeire.payments.gateway import CardBrand

# Statuses after which a parcel is on its way: the tracking number is worth showing.
WITH_TRACKING = frozenset({OrderStatus.SHIPPED, OrderStatus.DELIVERED})


def document_language(request: HttpRequest) -> str:
    """Invoices and credit notes are in the page's language."""
    return "ar" if (request.LANGUAGE_CODE or "").startswith("ar") else "en"


def _card_brand(order: Order) -> str:
    if order.payment_method != PaymentMethod.CARD or not order.card_brand:
        return ""
    try:
        return str(CardBrand(order.card_brand).label)
    except ValueError:
        return order.card_brand


def order_page(
    request: HttpRequest, order: Order, *, guest: bool, refusal: str = "", status: int = 200
) -> HttpResponse:
    """One order: lines, totals, payment, the address it goes to, every step so far."""
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
        "guest": guest,
    }
    if guest:
        context["kept_days"] = guests.guest_retention_period().days
    return render(request, "storefront/orders/detail.html", context, status=status)


def cancel_question(request: HttpRequest, order: Order, *, guest: bool) -> HttpResponse:
    """What cancelling does, asked before it is done."""
    context = {
        "order": order,
        "refunds_card": order.payment_status == PaymentStatus.CAPTURED,
        "guest": guest,
    }
    return render(request, "storefront/orders/cancel.html", context)


def say_cancelled(request: HttpRequest, order: Order) -> None:
    if order.payment_status == PaymentStatus.REFUNDED:
        messages.success(request, _("Your order is cancelled and your card payment is refunded."))
    else:
        messages.success(request, _("Your order is cancelled."))


def invoice_page(request: HttpRequest, order: Order, *, guest: bool) -> HttpResponse:
    """The simplified VAT invoice with its ZATCA QR code."""
    document = order_invoice_document(order, document_language(request))
    context = {
        "order": order,
        "document": document,
        "qr_data_uri": qr_png_data_uri(document.qr_payload()),
        "guest": guest,
    }
    return render(request, "storefront/orders/invoice.html", context)


def _pdf(data: bytes, number: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{number}.pdf"
    )
    return response


def invoice_download(request: HttpRequest, order: Order) -> HttpResponse:
    """The same invoice as a PDF to keep, named after the invoice number."""
    document = order_invoice_document(order, document_language(request))
    return _pdf(invoice_pdf(document), document.number)


def _credit_note(request: HttpRequest, order: Order) -> CreditNoteDocument:
    document = order_credit_note_document(order, document_language(request))
    if document is None:
        raise Http404
    return document


def credit_note_page(request: HttpRequest, order: Order, *, guest: bool) -> HttpResponse:
    """The credit note that cancelled the order's invoice; 404 if there is none."""
    context = {"order": order, "guest": guest, **credit_note_context(_credit_note(request, order))}
    return render(request, "storefront/orders/credit_note.html", context)


def credit_note_download(request: HttpRequest, order: Order) -> HttpResponse:
    """The credit note as a PDF to keep, named after its number; 404 if there is none."""
    document = _credit_note(request, order)
    return _pdf(credit_note_pdf(document), document.number)
