"""Checkout forms: they carry what the browser sent; the checkout services own every rule.

The address form checks nothing itself: ``lumeire.checkout.addresses.parse_address`` refuses a
wrong field with its own message, which ``apply`` puts back beside that field, so the page and
the API give the same answers.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from lumeire.core.addresses import ADDRESS_FIELDS
from lumeire.core.countries import COUNTRY_NAMES
from lumeire.core.errors import ApplicationError

NEW_ADDRESS = "new"
# Longer input is no address part: cut before the service sees it (it then says what is wrong).
_MAX_TYPED = 200


def _text(autocomplete: str, **attrs: str) -> forms.TextInput:
    return forms.TextInput(attrs={"autocomplete": autocomplete, "maxlength": _MAX_TYPED, **attrs})


def _typed(label, autocomplete: str, help_text: str = "", **attrs: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=False,
        max_length=_MAX_TYPED,
        widget=_text(autocomplete, **attrs),
    )


def country_choices() -> list[tuple[str, str]]:
    return [(code, COUNTRY_NAMES.get(code, code)) for code in settings.LUMEIRE_SHIPPING_COUNTRIES]


class CheckoutForm(forms.Form):
    """A form whose fields may receive the errors a checkout service raised."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def apply(self, error: ApplicationError) -> None:
        """Show a refusal's messages beside the fields they are about, or above the form."""
        if not error.field_errors:
            self.add_error(None, error.message)
            return
        for name, messages in error.field_errors.items():
            for message in messages:
                self.add_error(name if name in self.fields else None, message)


class AddressFieldsForm(CheckoutForm):
    """The parts of an address, typed field by field (checked by ``parse_address``)."""

    full_name = _typed(_("Full name of the recipient"), "shipping name")
    phone = _typed(
        _("Mobile number"),
        "shipping tel",
        help_text=_("The courier calls this number about the delivery."),
        type="tel",
        inputmode="tel",
        dir="ltr",
    )
    city = _typed(_("City"), "shipping address-level2")
    district = _typed(_("District"), "shipping address-level3")
    street = _typed(_("Street"), "shipping address-line1")
    building = _typed(_("Building number"), "shipping address-line2")
    postal_code = _typed(_("Postal code"), "shipping postal-code", inputmode="numeric", dir="ltr")
    country = forms.CharField(
        label=_("Country"),
        required=False,
        max_length=_MAX_TYPED,
        widget=forms.Select(attrs={"autocomplete": "shipping country"}),
    )

    ADDRESS_FIELDS = ADDRESS_FIELDS

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].widget.choices = country_choices()

    def typed_address(self) -> dict[str, str]:
        """The address as typed, for ``parse_address``."""
        return {name: self.cleaned_data.get(name) or "" for name in self.ADDRESS_FIELDS}

    @property
    def address_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.ADDRESS_FIELDS]


class AddressForm(AddressFieldsForm):
    """A saved address by its id, or a new one typed field by field."""

    choice = forms.CharField(required=False, widget=forms.HiddenInput)
    save_address = forms.BooleanField(
        label=_("Save this address for my next orders"), required=False
    )
    field_order = ["choice", *AddressFieldsForm.ADDRESS_FIELDS, "save_address"]


class DeliveryForm(CheckoutForm):
    """The code of a delivery option; the checkout selectors say whether it is offered."""

    shipping_method = forms.CharField(required=False, max_length=32)


class PlaceOrderForm(CheckoutForm):
    """How to pay, and the key that makes a doubled click place one order."""

    payment = forms.CharField(required=False, max_length=16)
    idempotency_key = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)
    expected_total = forms.CharField(required=False, max_length=32, widget=forms.HiddenInput)
