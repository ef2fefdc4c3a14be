"""Delivery options in the back office: the owner sets their names, prices and order."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from lumeire.backoffice.order_forms import ShippingMethodForm
from lumeire.backoffice.pages import StaffPageMixin
from lumeire.backoffice.refusals import RefusalsOnTheFormMixin
from lumeire.backoffice.sites import backoffice_site
from lumeire.checkout.models import ShippingMethod
from lumeire.core.money import vat_on

NOTHING = "—"


@admin.register(ShippingMethod, site=backoffice_site)
class ShippingMethodAdmin(StaffPageMixin, RefusalsOnTheFormMixin, admin.ModelAdmin):
    form = ShippingMethodForm
    fields = ShippingMethodForm.Meta.fields
    list_display = (
        "code",
        "name_en",
        "name_ar",
        "price",
        "price_with_vat",
        "free_above_shown",
        "is_active",
        "position",
    )
    list_filter = ("is_active",)
    ordering = ("position", "id")
    actions = None

    @admin.display(description=_("price with VAT"), ordering="price")
    def price_with_vat(self, method: ShippingMethod):
        return method.price + vat_on(method.price)

    @admin.display(description=_("free delivery from"), ordering="free_above")
    def free_above_shown(self, method: ShippingMethod):
        return NOTHING if method.free_above is None else method.free_above

    def get_readonly_fields(self, request: HttpRequest, obj: ShippingMethod | None = None):
        """The code stays once saved: API clients and open checkouts send it."""
        return ("code",) if obj is not None else ()

    def has_delete_permission(
        self, request: HttpRequest, obj: ShippingMethod | None = None
    ) -> bool:
        return False  # untick "offered" instead: a customer may be choosing it right now
