"""A guest's order: opened by the emailed link, then shown, cancelled or invoiced like a
customer's, and "Find my order", which emails the link again.

The link's address carries the secret once: opening it keeps only the secret's hash in the
session and goes on to a page whose address has none (no Referer carries it anywhere). A wrong
link, an erased order and a number that does not exist give the same 404 page; "Find my order"
answers the same whether or not an order matches.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from lumeire.accounts.pseudonyms import client_ref
from lumeire.core.client import client_address
from lumeire.core.errors import ApplicationError
from lumeire.orders import guests
from lumeire.orders.errors import OrderNotFound
from lumeire.orders.services import order_cancel_by_guest
from lumeire.orders.transitions import customer_may_cancel
from lumeire.storefront import order_pages
from lumeire.storefront.account_access import no_referrer
from lumeire.storefront.guest_access import (
    FindOrderForm,
    guest_link_hash_of,
    guest_link_hash_remember,
    guest_order_for_session,
)


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


@never_cache
@no_referrer
@require_GET
def guest_order(request: HttpRequest, number: str) -> HttpResponse:
    """A guest's order: status, lines, totals, delivery, invoice, and cancelling while allowed."""
    return order_pages.order_page(request, guest_order_for_session(request, number), guest=True)


@never_cache
@require_http_methods(["GET", "POST"])
def guest_order_cancel(request: HttpRequest, number: str) -> HttpResponse:
    """Cancel while the parcel is not packed: GET asks first, a POST with ``confirm=yes`` does."""
    order = guest_order_for_session(request, number)
    confirmed = request.method == "POST" and request.POST.get("confirm") == "yes"
    if not confirmed:
        if not customer_may_cancel(order):
            return redirect("storefront:guest_order", number=order.number)
        return order_pages.cancel_question(request, order, guest=True)
    try:
        order = order_cancel_by_guest(
            order=order, link_hash=guest_link_hash_of(request, order.number)
        )
    except ApplicationError as error:
        return order_pages.order_page(
            request, order, guest=True, refusal=error.message, status=error.status_code
        )
    order_pages.say_cancelled(request, order)
    return redirect("storefront:guest_order", number=order.number)


@never_cache
@require_GET
def guest_order_invoice(request: HttpRequest, number: str) -> HttpResponse:
    """The simplified VAT invoice with its QR code, in the page's language."""
    return order_pages.invoice_page(request, guest_order_for_session(request, number), guest=True)


@never_cache
@require_GET
def guest_order_invoice_pdf(request: HttpRequest, number: str) -> HttpResponse:
    """The same invoice as a PDF, named after the invoice number."""
    return order_pages.invoice_download(request, guest_order_for_session(request, number))


@never_cache
@require_GET
def guest_order_credit_note(request: HttpRequest, number: str) -> HttpResponse:
    """The credit note that cancelled the order's invoice; 404 if there is none."""
    order = guest_order_for_session(request, number)
    return order_pages.credit_note_page(request, order, guest=True)


@never_cache
@require_GET
def guest_order_credit_note_pdf(request: HttpRequest, number: str) -> HttpResponse:
    """The credit note as a PDF, named after its number; 404 if there is none."""
    return order_pages.credit_note_download(request, guest_order_for_session(request, number))


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
