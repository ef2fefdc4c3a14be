"""Order pages of the back office: a list without personal values, a read-only detail page, and
one button per move the staff member's role may make, each made by ``order_transition``.

Personal values on the page (the shipping address, the card) are masked for everyone, with a
"Reveal" link where the access model allows it (see ``reveal``). One exception, by design:
fulfilment sees the address of an order waiting to be packed or shipped without the reveal step,
since that is the work itself; the staff reveal service checks the order's status, records each
such page view as a look for "delivery" and reads the values (never once the order has shipped
or been cancelled).

Nothing about an order is edited through Django's form: the change page only shows, and moves
go to their own URL. The order services record every move as an OrderEvent with the staff
member and the time, so Django's LogEntry stays out of it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from lumeire.backoffice import exports
from lumeire.backoffice.masking import mask_phone, mask_text
from lumeire.backoffice.order_forms import OrderMoveForm
from lumeire.backoffice.pages import StaffPageMixin
from lumeire.backoffice.reveal import (
    ALL_FIELDS,
    NO_STORE,
    REVEAL_MODELS,
    MaskedRow,
    Revealable,
    RevealTarget,
    masked_rows,
    request_client_ref,
    reveal_url,
    reveal_view,
)
from lumeire.backoffice.sites import backoffice_site
from lumeire.core.errors import ApplicationError
from lumeire.core.formatting import money_text
from lumeire.invoicing.html import credit_note_context
from lumeire.invoicing.selectors import credit_note_of_order
from lumeire.orders.models import (
    ADDRESS_FIELDS,
    ActorKind,
    Order,
    OrderEvent,
    OrderStatus,
    PaymentMethod,
)
from lumeire.orders.selectors import (
    MAX_NUMBER_LENGTH,
    order_credit_note_document,
    order_timeline,
)
from lumeire.orders.services import order_transition
from lumeire.orders.transitions import next_statuses
from lumeire.payments.gateway import CardBrand
from lumeire.staff.access import Permission, Way, has_permission, may_move_order
from lumeire.staff.reveal import delivery_values

NOTHING = "—"

# The button of each move, as staff read it on the order page.
MOVE_LABELS = {
    OrderStatus.PAID: gettext_lazy("Mark as paid"),
    OrderStatus.PACKED: gettext_lazy("Mark as packed"),
    OrderStatus.SHIPPED: gettext_lazy("Mark as shipped"),
    OrderStatus.DELIVERED: gettext_lazy("Mark as delivered"),
    OrderStatus.CANCELLED: gettext_lazy("Cancel the order"),
    OrderStatus.REFUNDED: gettext_lazy("Refund to the card"),
}

ADDRESS_LABELS = {
    "full_name": gettext_lazy("Name"),
    "phone": gettext_lazy("Phone"),
    "city": gettext_lazy("City"),
    "district": gettext_lazy("District"),
    "street": gettext_lazy("Street"),
    "building": gettext_lazy("Building"),
    "postal_code": gettext_lazy("Postal code"),
    "country": gettext_lazy("Country"),
}


@dataclass(frozen=True)
class Move:
    status: str
    label: str
    needs_tracking: bool


@dataclass(frozen=True)
class TimelineRow:
    at: object
    from_status: str
    to_status: str
    actor: str
    note: str


def order_moves(user, order: Order) -> list[Move]:
    """The moves the transition table opens now that this staff member's roles make."""
    return [
        Move(str(status), str(MOVE_LABELS[status]), status == OrderStatus.SHIPPED)
        for status in next_statuses(
            current=order.status, payment_method=order.payment_method, actor_kind=ActorKind.STAFF
        )
        if may_move_order(user, status)
    ]


def _money(amount, currency: str) -> str:
    # The store's one money format: "ر.س" on an Arabic page, as everywhere else.
    return money_text(amount, currency)


def _status_label(value: str) -> str:
    return OrderStatus(value).label if value in OrderStatus.values else NOTHING


def _actor(event: OrderEvent) -> str:
    if event.actor_kind == ActorKind.STAFF:
        name = event.actor.get_username() if event.actor is not None else ""
        return _("Staff: %(name)s") % {"name": name} if name else _("A former staff member")
    if event.actor_kind == ActorKind.CUSTOMER:
        return _("The customer")
    return _("The store")


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _address_value(order: Order, field: str) -> str:
    """One part of the address as read: the country by its name in the page's language."""
    return order.country_name() if field == "country" else _text(getattr(order, field))


def _address_field(field: str) -> Revealable:
    mask = mask_phone if field == "phone" else mask_text
    return Revealable(
        field,
        ADDRESS_LABELS[field],
        Order,
        (field,),
        read=lambda order: _address_value(order, field),
        mask=lambda order: mask(_address_value(order, field)),
    )


def _card_clear(order: Order) -> str:
    brand = order.card_brand
    brand_label = CardBrand(brand).label if brand in CardBrand.values else brand
    return _("%(brand)s ending in %(last4)s") % {"brand": brand_label, "last4": order.card_last4}


CARD = Revealable(
    "card",
    gettext_lazy("Card"),
    Order,
    ("card_brand", "card_last4"),
    read=_card_clear,
    mask=lambda order: _("Card ending in ****"),
    applies=lambda order: order.payment_method == PaymentMethod.CARD,
)


GUEST_EMAIL = Revealable(
    "guest_email",
    gettext_lazy("Guest's email"),
    Order,
    ("guest_email",),
    read=lambda order: _text(order.guest_email),
    mask=lambda order: mask_text(_text(order.guest_email)),
    applies=lambda order: order.is_guest,
)


def _order_url(order: Order) -> str:
    return reverse(f"{backoffice_site.name}:orders_order_change", args=[quote(order.pk)])


ORDER_TARGET = RevealTarget(
    target_type="order",
    permission=Permission.ORDERS_VIEW,
    fields=(*(_address_field(field) for field in ADDRESS_FIELDS), GUEST_EMAIL, CARD),
    # A guest's order is the subject of its own data key, and of the audit record of a look.
    subject_of=lambda order: order.customer_id or order.pk,
    target_id_of=lambda order: order.number,
    title_of=lambda order: _("Order %(number)s") % {"number": order.number},
    back_url_of=_order_url,
)
REVEAL_MODELS["order"] = Order


ADDRESS_COLUMNS = tuple(field for field in ORDER_TARGET.fields if field.name in ADDRESS_FIELDS)
# Exports carry the delivery and the card; a guest's email is looked at one order at a time.
EXPORT_TARGET = replace(
    ORDER_TARGET, fields=tuple(field for field in ORDER_TARGET.fields if field is not GUEST_EMAIL)
)


def shown_for_delivery(user, order: Order) -> bool:
    """Whether the access model shows this order's address on its page (fulfilment, while the
    order waits to be packed or shipped)."""
    return all(field.allowed_for(user, order, way=Way.AT_WORK) for field in ADDRESS_COLUMNS)


def _address_rows(
    user, order: Order, *, site_name: str, client: str
) -> tuple[list[MaskedRow], bool]:
    """The address masked with its reveal links, or in clear (recorded) for fulfilment at work."""
    if shown_for_delivery(user, order):
        values = delivery_values(
            actor=user, target=ORDER_TARGET, obj=order, fields=ADDRESS_COLUMNS, client=client
        )
        rows = [
            MaskedRow(field.name, label, value)
            for field, (label, value) in zip(ADDRESS_COLUMNS, values, strict=True)
        ]
        return rows, True
    rows = masked_rows(user, ORDER_TARGET, order, site_name=site_name)
    return [row for row in rows if row.name != CARD.name], False


def _payment(user, order: Order, *, site_name: str) -> tuple[str, str]:
    """The payment method, and the card masked with its reveal link when the role may see it."""
    if order.payment_method != PaymentMethod.CARD:
        return str(PaymentMethod(order.payment_method).label), ""
    allowed = has_permission(user, ORDER_TARGET.permission) and CARD.allowed_for(user, order)
    link = reveal_url(ORDER_TARGET, order, CARD.name, site_name=site_name) if allowed else ""
    return CARD.mask(order), link


def order_detail(
    user, order: Order, *, client: str, site_name: str = backoffice_site.name
) -> dict[str, object]:
    """What the order page shows, already masked for this staff member's role."""
    language = translation.get_language() or "en"
    currency = order.currency
    address, for_delivery = _address_rows(user, order, site_name=site_name, client=client)
    payment, card_reveal_url = _payment(user, order, site_name=site_name)
    revealable = ORDER_TARGET.revealable_by(user, order)
    lines = [
        {
            "name": line.name(language),
            "options": ", ".join(str(value) for value in (line.options or {}).values()),
            "sku": line.sku,
            "quantity": line.quantity,
            # VAT-included orders: the shelf price charged (× quantity = the line with VAT);
            # the line's net and VAT split that line. Older orders: the net unit price.
            "unit_price": _money(
                line.shown_unit_price if order.prices_include_vat else line.unit_price, currency
            ),
            "net": _money(line.net, currency),
            "vat": _money(line.vat, currency),
            "gross": _money(line.gross, currency),
        }
        for line in order.lines.all()
    ]
    timeline = [
        TimelineRow(
            at=event.at,
            from_status=_status_label(event.from_status) if event.from_status else NOTHING,
            to_status=_status_label(event.to_status),
            actor=_actor(event),
            note=event.note,
        )
        for event in order_timeline(order)
    ]
    return {
        "order": order,
        "customer": _("Guest") if order.is_guest else _("Customer account"),
        "status": _status_label(order.status),
        "payment": payment,
        "card_reveal_url": card_reveal_url,
        "payment_status": order.get_payment_status_display(),
        "shipping_method": order.shipping_method_name(language),
        "tracking_number": order.tracking_number or NOTHING,
        "lines": lines,
        "totals": [
            (_("Subtotal before VAT"), _money(order.subtotal, currency)),
            (_("Shipping before VAT"), _money(order.shipping, currency)),
            (_("VAT"), _money(order.vat, currency)),
            (_("Total"), _money(order.total, currency)),
        ],
        "address": address,
        "address_for_delivery": for_delivery,
        "reveal_all_url": reveal_url(ORDER_TARGET, order, ALL_FIELDS, site_name=site_name)
        if revealable and not for_delivery
        else "",
        "timeline": timeline,
        "moves": order_moves(user, order),
        "credit_note": credit_note_of_order(order.pk),
    }


@admin.register(Order, site=backoffice_site)
class OrderAdmin(StaffPageMixin, admin.ModelAdmin):
    """Orders for fulfilment, customer service and the owner; no one adds, edits or deletes."""

    change_form_template = "backoffice/orders/order_change_form.html"
    change_list_template = "backoffice/orders/order_change_list.html"
    list_display = ("number", "placed_at", "status", "payment", "total_shown")
    list_filter = ("status", "payment_method", ("placed_at", admin.DateFieldListFilter))
    date_hierarchy = "placed_at"
    search_fields = ("number",)
    search_help_text = gettext_lazy("An exact order number, such as LUM-7K3Q-9F2D.")
    ordering = ("-placed_at", "-id")
    actions = None
    show_full_result_count = False
    # Django's form is never shown (the page template draws the order), and holds no field
    # with a personal value.
    fields = ("number",)
    readonly_fields = ("number",)

    @admin.display(description=gettext_lazy("payment method"), ordering="payment_method")
    def payment(self, order: Order) -> str:
        return order.get_payment_method_display()

    @admin.display(description=gettext_lazy("total"), ordering="total")
    def total_shown(self, order: Order) -> str:
        return _money(order.total, order.currency)

    def get_search_results(self, request: HttpRequest, queryset: QuerySet[Order], term: str):
        """Only an exact order number: a list never matches names, phones or addresses."""
        number = "".join(term.split()).upper()[:MAX_NUMBER_LENGTH]
        if not number:
            return queryset, False
        return queryset.filter(number=number), False

    def has_module_permission(self, request: HttpRequest) -> bool:
        return has_permission(request.user, Permission.ORDERS_VIEW)

    def has_view_permission(self, request: HttpRequest, obj: Order | None = None) -> bool:
        # The staff roles decide (the analyst and the catalogue manager see no orders).
        return has_permission(request.user, Permission.ORDERS_VIEW)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # orders are placed by customers at checkout

    def has_change_permission(self, request: HttpRequest, obj: Order | None = None) -> bool:
        return False  # moves have their own URL; nothing else about an order changes

    def has_delete_permission(self, request: HttpRequest, obj: Order | None = None) -> bool:
        return False  # an order is kept as the record of a sale

    def get_urls(self):
        move = self.admin_site.admin_view(self.move_view)
        reveal = self.admin_site.admin_view(self.reveal_view)
        export = self.admin_site.admin_view(self.export_view)
        credit_note = self.admin_site.admin_view(self.credit_note_view)
        return [
            path("export/", export, name="orders_order_export"),
            path("<path:object_id>/credit-note/", credit_note, name="orders_order_credit_note"),
            path("<path:object_id>/move/", move, name="orders_order_move"),
            path("<path:object_id>/reveal/", reveal, name="orders_order_reveal"),
            *super().get_urls(),
        ]

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict | None = None,
    ) -> HttpResponse:
        context = dict(extra_context or {})
        order = self.get_object(request, unquote(object_id))
        detail = None
        showing = request.method in ("GET", "HEAD")
        if order is not None and showing and self.has_view_permission(request, order):
            detail = order_detail(
                request.user,
                order,
                client=request_client_ref(request),
                site_name=self.admin_site.name,
            )
            context["detail"] = detail
            context["title"] = _("Order %(number)s") % {"number": order.number}
        response = super().change_view(request, object_id, form_url, context)
        if detail is not None and detail["address_for_delivery"]:
            response["Cache-Control"] = NO_STORE
        return response

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):
        context = {
            **(extra_context or {}),
            "can_export": has_permission(request.user, Permission.ORDERS_EXPORT),
        }
        return super().changelist_view(request, context)

    def reveal_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return reveal_view(
            request,
            admin_site=self.admin_site,
            target=ORDER_TARGET,
            obj=self.get_object(request, unquote(object_id)),
            object_id=object_id,
        )

    def credit_note_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The credit note that cancelled the order's invoice, in the page's language."""
        order = self._viewable(request, object_id)
        language = "ar" if (translation.get_language() or "").startswith("ar") else "en"
        document = order_credit_note_document(order, language)
        if document is None:
            raise Http404
        context = {
            **self.admin_site.each_context(request),
            **credit_note_context(document),
            "order": order,
            "opts": self.model._meta,
            "title": _("Credit note %(number)s") % {"number": document.number},
        }
        return TemplateResponse(request, "backoffice/orders/credit_note.html", context)

    def export_view(self, request: HttpRequest) -> HttpResponse:
        return exports.orders_export_view(request, model_admin=self, target=EXPORT_TARGET)

    def _viewable(self, request: HttpRequest, object_id: str) -> Order:
        order = self.get_object(request, unquote(object_id))
        if order is None:
            raise Http404
        if not self.has_view_permission(request, order):
            raise PermissionDenied
        return order

    def move_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return require_POST(self._move)(request, object_id)

    def _move(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """One move through ``order_transition``; a refusal is a message, the order as it was."""
        order = self._viewable(request, object_id)
        back = HttpResponseRedirect(
            reverse(f"{self.admin_site.name}:orders_order_change", args=[quote(order.pk)])
        )
        form = OrderMoveForm(request.POST)
        if not form.is_valid():
            self.message_user(request, _("Choose one of the buttons on the page."), messages.ERROR)
            return back
        target = form.cleaned_data["to"]
        try:
            order = order_transition(
                actor=request.user,
                order=order,
                to=target,
                tracking_number=form.cleaned_data["tracking_number"],
            )
        except ApplicationError as refusal:
            self.message_user(request, refusal.message, messages.ERROR)
            return back
        self.message_user(
            request,
            _("Order %(number)s is now %(status)s.")
            % {"number": order.number, "status": _status_label(order.status).lower()},
            messages.SUCCESS,
        )
        return back
