"""A guest's order: opened by the emailed link, then shown, cancelled or invoiced like a
customer's, and "Find my order", which emails the link again.

The link's address carries the secret once: opening it keeps only the secret's hash in the
session and goes on to a page whose address has none (no Referer carries it anywhere). A wrong
link, an erased order and a number that does not exist give the same 404 page; "Find my order"
answers the same whether or not an order matches.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from lumeire.accounts.pseudonyms import client_ref
from lumeire.core.client import client_address
from lumeire.core.errors import ApplicationError
from lumeire.invoicing.html import credit_note_context
from lumeire.invoicing.pdf import invoice_pdf
from lumeire.invoicing.qr import qr_png_data_uri
from lumeire.invoicing.selectors import credit_note_of_order
from lumeire.orders import guests
from lumeire.orders.errors import OrderNotFound
from lumeire.orders.models import Order, OrderStatus, PaymentMethod, PaymentStatus
from lumeire.orders.selectors import (
    order_credit_note_document,
    order_invoice_document,
    order_timeline,
)
from lumeire.orders.services import order_cancel_by_guest
from lumeire.orders.transitions import customer_may_cancel
from lumeire.payments.gateway import CardBrand
from lumeire.storefront.account_access import no_referrer
from lumeire.storefront.guest_access import (
    FindOrderForm,
    guest_link_hash_remember,
    guest_order_for_session,
)

WITH_TRACKING = frozenset({OrderStatus.SHIPPED, OrderStatus.DELIVERED})


def _language(request: HttpRequest) -> str:
    return "ar" if (request.LANGUAGE_CODE or "").startswith("ar") else "en"


def _refused(request: HttpRequest, error: ApplicationError) -> HttpResponse:
    response = render(
        request,
        "storefront/guest/refused.html",
        {"message": error.message},
        status=error.status_code,
    )
    if error.retry_after:
        response["Retry-After"] = str(error.retry_after)
    return response


@never_cache
@no_referrer
@require_GET
def guest_order_open(request: HttpRequest, number: str, token: str) -> HttpResponse:
    """The emailed link: checked, remembered by its hash, then the order's page."""
    try:
        link_hash = guests.guest_order_open(
            number=number, token=token, client_ref=client_ref(client_address(request))
        )
    except OrderNotFound as missing:
        raise Http404 from missing
    except ApplicationError as error:
        return _refused(request, error)
    guest_link_hash_remember(request, number.strip().upper(), link_hash)
    return redirect("storefront:guest_order", number=number.strip().upper())


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
        "kept_days": guests.guest_retention_period().days,
        "credit_note": credit_note_of_order(order.pk),
    }
    return render(
        request, "storefront/orders/detail.html", {**context, "guest": True}, status=status
    )


@never_cache
@no_referrer
@require_GET
def guest_order(request: HttpRequest, number: str) -> HttpResponse:
    """A guest's order: status, lines, totals, delivery, invoice, and cancelling while allowed."""
    return _order_page(request, guest_order_for_session(request, number))


@never_cache
@require_http_methods(["GET", "POST"])
def guest_order_cancel(request: HttpRequest, number: str) -> HttpResponse:
    """Cancel while the parcel is not packed: GET asks first, a POST with ``confirm=yes`` does."""
    order = guest_order_for_session(request, number)
    confirmed = request.method == "POST" and request.POST.get("confirm") == "yes"
    if not confirmed:
        if not customer_may_cancel(order):
            return redirect("storefront:guest_order", number=order.number)
        context = {"order": order, "refunds_card": order.payment_status == PaymentStatus.CAPTURED}
        return render(request, "storefront/orders/cancel.html", {**context, "guest": True})
    try:
        order = order_cancel_by_guest(order=order)
    except ApplicationError as error:
        return _order_page(request, order, refusal=error.message, status=error.status_code)
    if order.payment_status == PaymentStatus.REFUNDED:
        messages.success(request, _("Your order is cancelled and your card payment is refunded."))
    else:
        messages.success(request, _("Your order is cancelled."))
    return redirect("storefront:guest_order", number=order.number)


@never_cache
@require_GET
def guest_order_invoice(request: HttpRequest, number: str) -> HttpResponse:
    """The simplified VAT invoice with its QR code, in the page's language."""
    order = guest_order_for_session(request, number)
    document = order_invoice_document(order, _language(request))
    context = {
        "order": order,
        "document": document,
        "qr_data_uri": qr_png_data_uri(document.qr_payload()),
    }
    return render(request, "storefront/orders/invoice.html", {**context, "guest": True})


@never_cache
@require_GET
def guest_order_invoice_pdf(request: HttpRequest, number: str) -> HttpResponse:
    """The same invoice as a PDF, named after the invoice number."""
    order = guest_order_for_session(request, number)
    document = order_invoice_document(order, _language(request))
    response = HttpResponse(invoice_pdf(document), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{document.number}.pdf"
    )
    return response


@never_cache
@require_GET
def guest_order_credit_note(request: HttpRequest, number: str) -> HttpResponse:
    """The credit note that cancelled the order's invoice; 404 if there is none."""
    order = guest_order_for_session(request, number)
    document = order_credit_note_document(order, _language(request))
    if document is None:
        raise Http404
    context = {"order": order, **credit_note_context(document)}
    return render(request, "storefront/guest/credit_note.html", context)


@never_cache
@sensitive_post_parameters("email")
@require_http_methods(["GET", "POST"])
def find_order(request: HttpRequest) -> HttpResponse:
    """Ask for an order's link again by its number and email; the answer never says whether
    such an order exists."""
    form = FindOrderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            guests.guest_link_resend(
                number=form.cleaned_data["number"],
                email=form.cleaned_data["email"],
                client_ref=client_ref(client_address(request)),
            )
        except ApplicationError as error:
            return _refused(request, error)
        return render(request, "storefront/guest/find_sent.html")
    status = 400 if form.errors else 200
    return render(request, "storefront/guest/find.html", {"form": form}, status=status)
