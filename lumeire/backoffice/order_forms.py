"""Forms of the order and delivery option pages of the back office."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from lumeire.backoffice.catalog_forms import POSITION, PRICE_NOT_NEGATIVE
from lumeire.checkout.models import ShippingMethod
from lumeire.orders.models import OrderStatus

THRESHOLD_NOT_NEGATIVE = _("The amount for free delivery cannot be below zero.")


class OrderMoveForm(forms.Form):
    """One button of an order page: the status asked for, and a tracking number for shipping.

    The tracking number is checked by the order service, which owns the rule and its message.
    """

    to = forms.ChoiceField(choices=OrderStatus.choices)
    tracking_number = forms.CharField(required=False, strip=True)


class ShippingMethodForm(forms.ModelForm):
    """A delivery option: a flat price before VAT, free from an amount with VAT if one is set."""

    class Meta:
        model = ShippingMethod
        fields = ("code", "name_en", "name_ar", "price", "free_above", "is_active", "position")
        labels = {
            "code": capfirst(_("code")),
            "name_en": capfirst(_("name (English)")),
            "name_ar": capfirst(_("name (Arabic)")),
            "price": capfirst(_("price before VAT")),
            "free_above": capfirst(_("free delivery from (goods with VAT)")),
            "is_active": capfirst(_("offered at checkout")),
            "position": POSITION,
        }
        help_texts = {
            "code": _("What the API and the checkout send; it cannot change once saved."),
            "price": _("Checkout adds VAT to this price."),
            "free_above": _("Leave empty to charge for every order."),
        }

    def _not_negative(self, name: str, message) -> Decimal | None:
        amount = self.cleaned_data.get(name)
        if amount is not None and amount < 0:
            raise ValidationError(message, code="negative")
        return amount

    def clean_price(self) -> Decimal | None:
        return self._not_negative("price", PRICE_NOT_NEGATIVE)

    def clean_free_above(self) -> Decimal | None:
        return self._not_negative("free_above", THRESHOLD_NOT_NEGATIVE)
