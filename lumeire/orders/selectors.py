"""Reading orders: a customer sees only their own, and a missing order looks like another's."""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from lumeire.invoicing.credit_note import CreditNoteDocument
from lumeire.invoicing.document import InvoiceDocument, InvoiceLine
from lumeire.invoicing.selectors import credit_note_of_order
from lumeire.orders.errors import OrderErrorCode, OrderNotFound
from lumeire.orders.models import Order, OrderEvent

MAX_NUMBER_LENGTH = 16
ORDERS_PAGE_SIZE = 20


def order_get_for_customer(*, customer, number: str) -> Order:
    """The customer's order by number; anyone else's, or none, is the same 404."""
    number = str(number or "").strip().upper()[:MAX_NUMBER_LENGTH]
    order = Order.objects.filter(customer=customer, number=number).prefetch_related("lines").first()
    if order is None:
        raise OrderNotFound(OrderErrorCode.NOT_FOUND, _("There is no such order in your account."))
    return order


def orders_of_customer(
    *, customer, before: Order | None = None, limit: int | None = None
) -> list[Order]:
    """A page of the customer's orders, newest first; ``before`` continues after that order.

    ``limit`` orders at most (``ORDERS_PAGE_SIZE`` unless given), in one query.
    """
    orders: QuerySet[Order] = Order.objects.filter(customer=customer).prefetch_related("lines")
    if before is not None:
        orders = orders.filter(placed_at__lte=before.placed_at).exclude(pk=before.pk)
        orders = orders.exclude(placed_at=before.placed_at, id__gt=before.pk)
    return list(orders.order_by("-placed_at", "-id")[: limit or ORDERS_PAGE_SIZE])


def customer_ids_of_order_number(term: str) -> set:
    """The customer of the order whose number is exactly ``term`` (spaces and case aside)."""
    number = "".join(str(term or "").split()).upper()[:MAX_NUMBER_LENGTH]
    if not number.startswith("LUM-"):
        return set()
    # A guest's order has no customer to find.
    found = Order.objects.filter(number=number, customer__isnull=False)
    return set(found.values_list("customer_id", flat=True))


def order_timeline(order: Order) -> list[OrderEvent]:
    """Every step of the order, oldest first."""
    return list(order.events.order_by("at", "id"))


def order_invoice_document(order: Order, language: str) -> InvoiceDocument:
    """The simplified VAT invoice of an order, from its snapshot (never today's catalogue)."""
    lines = tuple(
        InvoiceLine(
            description=_line_description(line, language),
            quantity=line.quantity,
            unit_price=line.unit_gross if order.prices_include_vat else line.unit_price,
            net=line.net,
            vat=line.vat,
            vat_included=order.prices_include_vat,
        )
        for line in order.lines.all()
    )
    seller = (
        settings.LUMEIRE_SELLER_NAME_AR if language == "ar" else settings.LUMEIRE_SELLER_NAME_EN
    )
    credit_note = credit_note_of_order(order.pk)
    return InvoiceDocument(
        number=order.invoice_number,
        order_number=order.number,
        issued_at=order.placed_at,
        language=language,
        seller_name=seller,
        vat_number=settings.LUMEIRE_VAT_NUMBER,
        currency=order.currency,
        lines=lines,
        shipping_name=order.shipping_method_name(language),
        shipping_net=order.shipping,
        shipping_vat=order.shipping_vat,
        subtotal=order.subtotal,
        vat_total=order.vat,
        total=order.total,
        vat_rate=order.vat_rate,
        prices_include_vat=order.prices_include_vat,
        credited_by=credit_note.number if credit_note else "",
    )


def order_credit_note_document(order: Order, language: str) -> CreditNoteDocument | None:
    """The credit note that cancelled the order's invoice, in ``language``; None if none."""
    credit_note = credit_note_of_order(order.pk)
    if credit_note is None:
        return None
    return CreditNoteDocument(
        number=credit_note.number,
        issued_at=credit_note.issued_at,
        reason=credit_note.reason,
        invoice=order_invoice_document(order, language),
    )


def _line_description(line, language: str) -> str:
    options = ", ".join(str(value) for value in (line.options or {}).values())
    name = line.name(language)
    return f"{name} ({options})" if options else name
