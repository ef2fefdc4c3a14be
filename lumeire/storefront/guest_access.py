"""How a guest reaches their order on the web: the session keeps the hash of the order's link
secret (never the secret), and every guest page checks it against the order again, so an erased
order's link stops working even in an open browser.
"""

from __future__ import annotations

from django import forms
from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _

from lumeire.orders.errors import OrderNotFound
from lumeire.orders.guests import MAX_EMAIL_LENGTH, guest_link_secret, guest_order_get
from lumeire.orders.models import Order
from lumeire.storefront.checkout_forms import AddressFieldsForm

SESSION_GUEST_ORDERS = "guest_orders"
# A browser keeps the links of this many guest orders at most, the newest.
KEPT_IN_SESSION = 5


class GuestAddressForm(AddressFieldsForm):
    """A guest's details: the email for the receipt and the order's link, then the address."""

    email = forms.CharField(
        label=_("Email address"),
        help_text=_("Your receipt and the link to your order are sent here."),
        required=False,
        max_length=MAX_EMAIL_LENGTH,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "dir": "ltr"}),
    )
    field_order = ["email", *AddressFieldsForm.ADDRESS_FIELDS]


class FindOrderForm(forms.Form):
    """The order number and the email given at checkout."""

    number = forms.CharField(
        label=_("Order number"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "dir": "ltr"}),
    )
    email = forms.CharField(
        label=_("Email address"),
        max_length=MAX_EMAIL_LENGTH,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "dir": "ltr"}),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def guest_link_hash_remember(request: HttpRequest, number: str, link_hash: str) -> None:
    """Let this browser show the order: keep the hash of its link, newest last."""
    kept = dict(request.session.get(SESSION_GUEST_ORDERS) or {})
    kept.pop(number, None)
    kept[number] = link_hash
    request.session[SESSION_GUEST_ORDERS] = dict(list(kept.items())[-KEPT_IN_SESSION:])


def guest_order_remember(request: HttpRequest, order: Order) -> None:
    """The guest who just placed ``order`` may see it in this browser."""
    from lumeire.core.tokens import secret_hash

    guest_link_hash_remember(request, order.number, secret_hash(guest_link_secret(order)))


def guest_order_known(request: HttpRequest, number: str) -> bool:
    """Whether this browser holds the link of the guest order ``number``."""
    kept = request.session.get(SESSION_GUEST_ORDERS) or {}
    return str(number or "").strip().upper() in kept


def guest_link_hash_of(request: HttpRequest, number: str) -> str:
    """The hash of the link this browser opened ``number`` with, or "" for none."""
    kept = request.session.get(SESSION_GUEST_ORDERS) or {}
    return str(kept.get(str(number or "").strip().upper(), ""))


def guest_order_for_session(request: HttpRequest, number: str) -> Order:
    """The guest order this browser opened with its link; anything else is a 404."""
    number = str(number or "").strip().upper()
    try:
        return guest_order_get(number=number, link_hash=guest_link_hash_of(request, number))
    except OrderNotFound as missing:
        raise Http404 from missing
