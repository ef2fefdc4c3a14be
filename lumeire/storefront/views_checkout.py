"""Checkout on the web: address, delivery, review, payment, then one POST that places the order.

Each step is a page that works without scripts. What the customer chose so far lives in the
session only while the checkout lasts (never in an address bar) and is dropped once the order
is placed. The card number never reaches these pages: the gateway's own form sends back a
single-use token, kept in the session until the order is placed.

The place-order form carries a random key made when the payment page is drawn: a doubled click
or a retried POST sends the same key, and ``order_place`` answers it with the first order.

A shopper who is not signed in chooses between signing in and continuing as a guest. A guest
goes through the same steps, giving only what delivery and the receipt need (an email, the
recipient's name and phone, the address); the order is theirs by its number and an emailed link.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from lumeire.accounts.pseudonyms import client_ref
from lumeire.cart.selectors import CartSummary
from lumeire.checkout.addresses import AddressInput, parse_address
from lumeire.checkout.errors import (
    CheckoutConflict,
    CheckoutError,
    CheckoutErrorCode,
    PaymentDeclined,
)
from lumeire.checkout.models import ShippingMethod
from lumeire.checkout.selectors import (
    cart_checkout_totals,
    saved_address_get,
    saved_addresses,
    shipping_method_get,
    shipping_methods,
)
from lumeire.checkout.services import order_place, parse_guest_email, parse_payment
from lumeire.core.client import client_address
from lumeire.core.errors import ApplicationError
from lumeire.orders.errors import OrderNotFound
from lumeire.orders.guests import guest_link_url
from lumeire.orders.models import ADDRESS_FIELDS, PaymentMethod
from lumeire.orders.selectors import order_get_for_customer
from lumeire.payments.errors import PaymentError
from lumeire.storefront.account_access import private_page
from lumeire.storefront.cart_access import shopper_cart, shopper_cart_summary
from lumeire.storefront.checkout_forms import (
    COUNTRY_NAMES,
    NEW_ADDRESS,
    AddressForm,
    DeliveryForm,
    PlaceOrderForm,
)
from lumeire.storefront.guest_access import (
    GuestAddressForm,
    guest_order_for_session,
    guest_order_known,
    guest_order_remember,
)

SESSION_KEY = "checkout"
# The last placed checkout's key and order number (no personal value): a late second click
# on the same form finds its order after the checkout state is gone.
PLACED_KEY = "checkout_placed"
# What the gateway may hand back as a token; anything else is ignored.
CARD_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}", flags=re.ASCII)

STEPS = ("address", "delivery", "review", "payment")
# Where each refusal of ``order_place`` is shown: the step the customer can fix it on.
REFUSAL_STEP = {
    CheckoutErrorCode.INVALID_ADDRESS: "address",
    CheckoutErrorCode.UNKNOWN_SHIPPING_METHOD: "delivery",
    CheckoutErrorCode.PRODUCT_UNAVAILABLE: "review",
    CheckoutErrorCode.SOLD_OUT: "review",
    CheckoutErrorCode.AGE_RESTRICTED: "review",
}


def _is_guest(request: HttpRequest) -> bool:
    """A shopper not signed in who chose to continue as a guest for this checkout."""
    return not request.user.is_authenticated and bool(_state(request).get("guest"))


def checkout_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A checkout step: a customer's private page, or a guest's once they chose to be one;
    anyone else is sent to the choice between signing in and continuing as a guest."""
    as_customer = private_page(view)
    as_guest = never_cache(view)

    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if request.user.is_authenticated:
            return as_customer(request, *args, **kwargs)
        if _is_guest(request):
            return as_guest(request, *args, **kwargs)
        return redirect("storefront:checkout")

    return wrapped


def _age_restricted_lines(summary: CartSummary) -> list[str]:
    """The products of the cart a guest cannot buy: their buyer's age must be checked."""
    return [
        str(priced.line.variant.product.name)
        for priced in summary.lines
        if priced.line.variant.product.min_age
    ]


@dataclass(frozen=True)
class Progress:
    """What the customer settled in the steps so far, read again on every request."""

    state: dict
    summary: CartSummary
    address: AddressInput | None = None
    method: ShippingMethod | None = None


def _state(request: HttpRequest) -> dict:
    return dict(request.session.get(SESSION_KEY) or {})


def _save(request: HttpRequest, state: dict) -> None:
    request.session[SESSION_KEY] = state


def _step_url(step: str) -> str:
    return reverse(f"storefront:checkout_{step}")


def _chosen_address(request: HttpRequest, state: dict) -> AddressInput | None:
    """The address the customer chose, checked again (a saved one may have gone since)."""
    saved_id = state.get("saved_address")
    if saved_id and request.user.is_authenticated:
        saved = saved_address_get(customer=request.user, address_id=saved_id)
        typed = {name: str(getattr(saved, name)) for name in ADDRESS_FIELDS} if saved else None
    else:
        typed = state.get("address")
    if not typed:
        return None
    try:
        return parse_address(typed)
    except CheckoutError:
        return None


def _progress(request: HttpRequest, step: str) -> Progress | HttpResponse:
    """The settled steps before ``step``, or a redirect to the first one still open."""
    summary = shopper_cart_summary(request)
    if not summary.lines:
        messages.info(request, _("Your cart is empty. Add something to it before checking out."))
        return redirect("storefront:cart")
    state = _state(request)
    needed = STEPS.index(step)
    address = method = None
    if needed > STEPS.index("address"):
        address = _chosen_address(request, state)
        if address is None or (state.get("guest") and not state.get("email")):
            return redirect("storefront:checkout_address")
    if needed > STEPS.index("delivery"):
        method = shipping_method_get(state.get("shipping_method"))
        if method is None:
            return redirect("storefront:checkout_delivery")
    return Progress(state, summary, address, method)


def _render(
    request: HttpRequest, step: str, context: dict[str, object], status: int = 200
) -> HttpResponse:
    here = STEPS.index(step)
    steps = [
        {"name": name, "url": _step_url(name), "done": index < here, "current": index == here}
        for index, name in enumerate(STEPS)
    ]
    address = context.get("address")
    if address is not None:
        context["address_country"] = COUNTRY_NAMES.get(address.country, address.country)
    context.setdefault("guest", _is_guest(request))
    return render(
        request, f"storefront/checkout/{step}.html", {"steps": steps, **context}, status=status
    )


@never_cache
@require_GET
def checkout(request: HttpRequest) -> HttpResponse:
    """Where the cart's Checkout button leads: a customer goes on; anyone else chooses between
    signing in (the cart is kept) and continuing as a guest."""
    if request.user.is_authenticated:
        if _state(request).get("guest"):
            # Signed in halfway through a guest checkout: start again as the customer.
            request.session.pop(SESSION_KEY, None)
        return _checkout_start(request)
    summary = shopper_cart_summary(request)
    if not summary.lines:
        messages.info(request, _("Your cart is empty. Add something to it before checking out."))
        return redirect("storefront:cart")
    query = urlencode({"next": reverse("storefront:checkout")})
    context = {
        "sign_in_url": f"{reverse('storefront:sign_in')}?{query}",
        "age_restricted": _age_restricted_lines(summary),
    }
    return render(request, "storefront/checkout/start.html", context)


@never_cache
@require_http_methods(["POST"])
def checkout_guest(request: HttpRequest) -> HttpResponse:
    """Continue as a guest: the steps follow, asking only what delivery and the receipt need."""
    if request.user.is_authenticated:
        return redirect("storefront:checkout")
    _save(request, {"guest": True})
    return redirect("storefront:checkout_address")


@private_page
def _checkout_start(request: HttpRequest) -> HttpResponse:
    progress = _progress(request, "address")
    if isinstance(progress, HttpResponse):
        return progress
    return redirect("storefront:checkout_address")


def _address_form(request: HttpRequest, state: dict) -> AddressForm:
    if request.method == "POST":
        return AddressForm(request.POST)
    initial = {"country": "SA", **(state.get("address") or {})}
    initial["save_address"] = state.get("save_address", False)
    if state.get("saved_address"):
        initial["choice"] = state["saved_address"]
    elif not state.get("address"):
        initial["choice"] = ""
    else:
        initial["choice"] = NEW_ADDRESS
    return AddressForm(initial=initial)


def _guest_address(request: HttpRequest, state: dict) -> HttpResponse:
    """A guest's step 1: their email, then the address, checked field by field."""
    if request.method == "POST":
        form = GuestAddressForm(request.POST)
    else:
        form = GuestAddressForm(
            initial={"country": "SA", "email": state.get("email", ""), **state.get("address", {})}
        )
    if request.method == "POST" and form.is_valid():
        # Both checked, so one answer names every field to put right.
        email = typed = None
        try:
            email = parse_guest_email(form.cleaned_data.get("email"))
        except CheckoutError as error:
            form.apply(error)
        try:
            typed = parse_address(form.typed_address())
        except CheckoutError as error:
            form.apply(error)
        if email is not None and typed is not None:
            state.update(address=typed.as_dict(), email=email, save_address=False)
            _save(request, state)
            return redirect("storefront:checkout_delivery")
    context = {"form": form, "saved": [], "chosen": NEW_ADDRESS, "new_address": NEW_ADDRESS}
    return _render(request, "address", context, status=400 if form.errors else 200)


@sensitive_post_parameters(*ADDRESS_FIELDS, "email")
@require_http_methods(["GET", "POST"])
@checkout_page
def checkout_address(request: HttpRequest) -> HttpResponse:
    """Step 1: a saved address, or a new one checked field by field with the typing kept."""
    progress = _progress(request, "address")
    if isinstance(progress, HttpResponse):
        return progress
    state = progress.state
    if _is_guest(request):
        return _guest_address(request, state)
    saved = saved_addresses(request.user)
    form = _address_form(request, state)
    if request.method == "POST" and form.is_valid():
        choice = form.cleaned_data["choice"]
        if choice and choice != NEW_ADDRESS:
            address = saved_address_get(customer=request.user, address_id=choice)
            if address is not None:
                state.pop("address", None)
                _save(request, {**state, "saved_address": str(address.pk), "save_address": True})
                return redirect("storefront:checkout_delivery")
            form.add_error(None, _("Choose one of your saved addresses, or enter a new one."))
        else:
            try:
                typed = parse_address(form.typed_address())
            except CheckoutError as error:
                form.apply(error)
            else:
                state.pop("saved_address", None)
                state.update(
                    address=typed.as_dict(), save_address=form.cleaned_data["save_address"]
                )
                _save(request, state)
                return redirect("storefront:checkout_delivery")
    chosen = form["choice"].value() or ""
    if request.method == "GET" and not chosen:
        chosen = str(saved[0].pk) if saved else NEW_ADDRESS
    context = {"form": form, "saved": saved, "chosen": str(chosen), "new_address": NEW_ADDRESS}
    return _render(request, "address", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@checkout_page
def checkout_delivery(request: HttpRequest) -> HttpResponse:
    """Step 2: a delivery option, priced for this cart (free past its threshold)."""
    progress = _progress(request, "delivery")
    if isinstance(progress, HttpResponse):
        return progress
    form = DeliveryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        method = shipping_method_get(form.cleaned_data["shipping_method"])
        if method is not None:
            _save(request, {**progress.state, "shipping_method": method.code})
            return redirect("storefront:checkout_review")
        form.add_error("shipping_method", _("Choose one of the delivery options."))
    options = [
        {"method": method, "totals": cart_checkout_totals(progress.summary, method)}
        for method in shipping_methods()
    ]
    chosen = form["shipping_method"].value() or progress.state.get("shipping_method")
    if not chosen and options:
        chosen = options[0]["method"].code
    context = {"form": form, "options": options, "chosen": chosen, "address": progress.address}
    return _render(request, "delivery", context, status=400 if form.errors else 200)


def _review_page(
    request: HttpRequest, progress: Progress, *, refusal: str = "", status: int = 200
) -> HttpResponse:
    guest = _is_guest(request)
    context = {
        "summary": progress.summary,
        "totals": cart_checkout_totals(progress.summary, progress.method),
        "address": progress.address,
        "method": progress.method,
        "refusal": refusal,
        "guest_email": progress.state.get("email", "") if guest else "",
        "age_restricted": _age_restricted_lines(progress.summary) if guest else [],
        "sign_in_url": reverse("storefront:sign_in")
        + "?"
        + urlencode({"next": reverse("storefront:checkout")}),
    }
    return _render(request, "review", context, status=status)


@require_GET
@checkout_page
def checkout_review(request: HttpRequest) -> HttpResponse:
    """Step 3: the lines, the subtotal, delivery, VAT and the total to be paid."""
    progress = _progress(request, "review")
    if isinstance(progress, HttpResponse):
        return progress
    return _review_page(request, progress)


def _payment_page(
    request: HttpRequest, progress: Progress, *, refusal: str = "", status: int = 200
) -> HttpResponse:
    state = progress.state
    if not state.get("key"):
        # Made once per checkout: every POST of this form, doubled or retried, carries it.
        state["key"] = secrets.token_urlsafe(24)
        _save(request, state)
    totals = cart_checkout_totals(progress.summary, progress.method)
    payment_path = _step_url("payment")
    context = {
        "totals": totals,
        "method": progress.method,
        "key": state["key"],
        "chosen": state.get("payment") or PaymentMethod.CASH_ON_DELIVERY.value,
        "card_ready": bool(state.get("card_token")),
        "card_form_url": reverse("payments:card_form")
        + "?"
        + urlencode({"return_to": payment_path}),
        "refusal": refusal,
        "expected_total": str(totals.total),
        "cash_on_delivery": PaymentMethod.CASH_ON_DELIVERY.value,
        "card": PaymentMethod.CARD.value,
    }
    return _render(request, "payment", context, status=status)


@require_GET
@checkout_page
def checkout_payment(request: HttpRequest) -> HttpResponse:
    """Step 4: cash on delivery, or a card entered on the gateway's own form.

    The gateway comes back here with ``?card_token=``; the token goes into the session and the
    page reloads without it, so it stays out of the history and of any Referer.
    """
    progress = _progress(request, "payment")
    if isinstance(progress, HttpResponse):
        return progress
    if "card_token" in request.GET:
        token = request.GET["card_token"]
        if CARD_TOKEN.fullmatch(token):
            _save(
                request,
                {**progress.state, "card_token": token, "payment": PaymentMethod.CARD.value},
            )
            messages.success(
                request, _("Your card is ready. Check the total, then place your order.")
            )
        return redirect("storefront:checkout_payment")
    return _payment_page(request, progress)


def _placed(request: HttpRequest, number: str) -> HttpResponse:
    return redirect("storefront:order_placed", number=number)


def _place(request: HttpRequest, progress: Progress, payment, key: str):
    """Place the order as the customer, or as the guest with the email they gave."""
    state = progress.state
    guest = _is_guest(request)
    return order_place(
        customer=None if guest else request.user,
        cart=shopper_cart(request),
        address=progress.address,
        shipping_method=progress.method.code,
        payment=payment,
        idempotency_key=key,
        client_hash=client_ref(client_address(request)),
        save_address=bool(state.get("save_address")) and not guest,
        language=request.LANGUAGE_CODE,
        guest_email=state.get("email", "") if guest else "",
    )


def _refused(request: HttpRequest, progress: Progress, error: ApplicationError) -> HttpResponse:
    """Show a refused placing on the step where it can be put right; nothing was placed."""
    step = REFUSAL_STEP.get(error.code, "payment")
    if step == "review":
        return _review_page(request, progress, refusal=error.message, status=error.status_code)
    if step != "payment":
        messages.error(request, error.message)
        return redirect(f"storefront:checkout_{step}")
    return _payment_page(request, progress, refusal=error.message, status=error.status_code)


@require_http_methods(["GET", "POST"])
@checkout_page
def checkout_place(request: HttpRequest) -> HttpResponse:
    """Place the order: one transaction that either does everything or leaves no trace."""
    if request.method == "GET":
        return redirect("storefront:checkout_payment")
    form = PlaceOrderForm(request.POST)
    form.is_valid()
    key = form.cleaned_data.get("idempotency_key", "")
    placed = request.session.get(PLACED_KEY) or {}
    if key and placed.get("key") == key:
        return _placed(request, placed["number"])
    progress = _progress(request, "payment")
    if isinstance(progress, HttpResponse):
        return progress
    state = progress.state
    if not key or key != state.get("key"):
        messages.error(request, _("This page was out of date. Check your order, then place it."))
        return redirect("storefront:checkout_payment")
    totals = cart_checkout_totals(progress.summary, progress.method)
    if form.cleaned_data.get("expected_total") != str(totals.total):
        message = _("Your cart changed since you looked. Check the new total, then continue.")
        return _review_page(request, progress, refusal=message, status=409)
    try:
        payment = parse_payment(form.cleaned_data.get("payment"), state.get("card_token", ""))
    except CheckoutError as error:
        return _payment_page(request, progress, refusal=error.message, status=error.status_code)
    state["payment"] = payment.method
    _save(request, state)
    guest = _is_guest(request)
    try:
        placement = _place(request, progress, payment, key)
    except ApplicationError as error:
        if isinstance(error, (PaymentDeclined, PaymentError)):
            # A token is good for one try: a declined or expired card is entered again.
            state.pop("card_token", None)
        if isinstance(error, CheckoutConflict):
            state.pop("key", None)  # the page is drawn again with a fresh key
        _save(request, state)
        return _refused(request, progress, error)
    request.session.pop(SESSION_KEY, None)
    request.session[PLACED_KEY] = {"key": key, "number": placement.order.number}
    if guest:
        # This browser may show the new order; later visits come through the emailed link.
        guest_order_remember(request, placement.order)
    return _placed(request, placement.order.number)


@never_cache
@require_GET
def order_placed(request: HttpRequest, number: str) -> HttpResponse:
    """The thank-you page with the order number; another customer's order is a 404.

    A guest's page also gives the order's link, which their confirmation email carries too.
    """
    if not request.user.is_authenticated and guest_order_known(request, number):
        order = guest_order_for_session(request, number)
        context = {"order": order, "guest_link": guest_link_url(order, request.LANGUAGE_CODE)}
        return render(request, "storefront/checkout/placed.html", context)
    return _customer_order_placed(request, number)


@private_page
def _customer_order_placed(request: HttpRequest, number: str) -> HttpResponse:
    try:
        order = order_get_for_customer(customer=request.user, number=number)
    except OrderNotFound as missing:
        raise Http404 from missing
    return render(request, "storefront/checkout/placed.html", {"order": order})
