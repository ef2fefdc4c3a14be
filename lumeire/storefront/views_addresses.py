"""My saved addresses: the ones checkout offers again, corrected or removed by the customer.

Changing or removing a saved address never touches an order: an order keeps the copy of the
address it was placed with. Another customer's address and one that does not exist give the same
404 page. Like the other account pages, these need a recent password and are never cached.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lumeire.checkout.address_book import (
    saved_address_remove,
    saved_address_update,
    saved_addresses_of,
)
from lumeire.checkout.errors import CheckoutError
from lumeire.checkout.selectors import saved_address_get
from lumeire.orders.models import ADDRESS_FIELDS
from lumeire.storefront.account_access import private_page
from lumeire.storefront.checkout_forms import COUNTRY_NAMES, AddressFieldsForm


@require_GET
@private_page
def addresses(request: HttpRequest) -> HttpResponse:
    """The saved addresses, most recently used first, each with a change and a remove button."""
    rows = [
        {"address": address, "country": COUNTRY_NAMES.get(str(address.country), address.country)}
        for address in saved_addresses_of(request.user)
    ]
    return render(request, "storefront/account/addresses.html", {"rows": rows})


@require_http_methods(["GET", "POST"])
@private_page
def address_change(request: HttpRequest, address_id: str) -> HttpResponse:
    """Correct every part of one saved address; each wrong part is refused with its reason."""
    address = saved_address_get(customer=request.user, address_id=address_id)
    if address is None:
        raise Http404
    initial = {name: str(getattr(address, name)) for name in ADDRESS_FIELDS}
    form = AddressFieldsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved_address_update(
                customer=request.user, address_id=address.pk, data=form.typed_address()
            )
        except CheckoutError as error:
            if error.status_code == 404:
                raise Http404 from error
            form.apply(error)
        else:
            messages.success(request, _("The address was saved."))
            return redirect("storefront:addresses")
    context = {
        "form": form,
        "title": _("Change a saved address"),
        "back": reverse("storefront:addresses"),
    }
    return render(
        request, "storefront/account/change.html", context, status=400 if form.errors else 200
    )


@require_POST
@private_page
def address_remove(request: HttpRequest, address_id: str) -> HttpResponse:
    """Forget one saved address; the orders placed with it keep their own copy."""
    try:
        saved_address_remove(customer=request.user, address_id=address_id)
    except CheckoutError as error:
        raise Http404 from error
    messages.success(request, _("The address was removed. Your orders keep their own copy."))
    return redirect("storefront:addresses")
