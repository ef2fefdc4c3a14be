"""Order changes: numbers, invoice numbers, and moves between statuses with their effects.

Every move is checked against the transition table for the actor who asks, recorded as an
event with who and when, and applied with its effects (stock back, money back) in one
transaction: a refused or failed move leaves the order as it was.
"""

from __future__ import annotations

import secrets

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from lumeire.audit.services import audit_record
from lumeire.catalog.models import Product, Variant
from lumeire.catalog.services import catalog_changed, product_summary_refresh
from lumeire.invoicing.services import credit_note_issue
from lumeire.orders.audit_actions import OrderAuditAction
from lumeire.orders.emails import send_order_email
from lumeire.orders.errors import OrderError, OrderErrorCode, OrderNotFound
from lumeire.orders.guests import guest_link_usable
from lumeire.orders.models import (
    ActorKind,
    InvoiceSequence,
    Order,
    OrderEvent,
    OrderStatus,
    PaymentMethod,
    PaymentStatus,
)
from lumeire.orders.transitions import STOCK_RETURNS_FROM, transition_allowed
from lumeire.payments.gateway import card_gateway
from lumeire.staff.access import ORDER_MOVE_TARGETS, may_move_order

# Crockford's base32 without I, L, O and U: nothing to misread over the phone.
NUMBER_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
MAX_TRACKING_LENGTH = 64


def new_order_number() -> str:
    """``LUM-XXXX-XXXX``: 40 random bits, unguessable to outsiders, easy to read aloud."""
    chars = "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(8))
    return f"LUM-{chars[:4]}-{chars[4:]}"


def next_invoice_number(year: int) -> str:
    """The next number of the year's gap-free series; call inside the placing transaction."""
    InvoiceSequence.objects.get_or_create(year=year)
    sequence = InvoiceSequence.objects.select_for_update().get(year=year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return f"INV-{year}-{sequence.last:06d}"


def actor_kind_of(actor) -> ActorKind:
    if actor is None:
        return ActorKind.SYSTEM
    return ActorKind.STAFF if actor.is_staff else ActorKind.CUSTOMER


def order_event_add(
    *,
    order: Order,
    actor,
    from_status: str,
    to_status: str,
    note: str = "",
    actor_kind: ActorKind | None = None,
):
    """Record one step of the order's life (a guest's own step: no actor, kind customer)."""
    return OrderEvent.objects.create(
        order=order,
        from_status=from_status,
        to_status=to_status,
        actor_kind=actor_kind or actor_kind_of(actor),
        actor=actor,
        note=note[:200],
    )


def _return_stock(order: Order) -> None:
    """Put the goods back on the shelf; a product that had sold out is listed in stock again."""
    products = set()
    for line in order.lines.filter(variant__isnull=False).order_by("variant_id"):
        Variant.objects.filter(pk=line.variant_id).update(stock=F("stock") + line.quantity)
        products.add(line.product_id)
    for product in Product.objects.filter(pk__in=products, in_stock=False).order_by("pk"):
        product_summary_refresh(product=product)
    catalog_changed()


def _refuse(code: OrderErrorCode, message: str, **field_errors: list[str]) -> OrderError:
    return OrderError(code, message, field_errors=field_errors or None)


def _check_actor(actor, order: Order, *, as_guest: bool = False) -> ActorKind:
    """A customer may move only their own order; anyone else's looks like no order at all."""
    if as_guest:
        # The guest who holds the order's link: a customer's rights, on a guest order only.
        if actor is not None or not order.is_guest:
            raise OrderNotFound(OrderErrorCode.NOT_FOUND, _("There is no such order."))
        return ActorKind.CUSTOMER
    kind = actor_kind_of(actor)
    if kind == ActorKind.CUSTOMER and actor.pk != order.customer_id:
        # The same 404 as a number that does not exist: another customer's order stays unseen.
        raise OrderNotFound(OrderErrorCode.NOT_FOUND, _("There is no such order in your account."))
    return kind


def _check_role(actor, target: OrderStatus) -> None:
    """Staff make only the moves their roles make (the staff access model decides, whichever
    page, command or script asks)."""
    if not may_move_order(actor, target):
        raise OrderError(
            OrderErrorCode.NOT_PERMITTED,
            _("Your role cannot move an order to %(target)s.") % {"target": target.label.lower()},
            status_code=403,
        )


def _settle_payment(order: Order, to: str) -> None:
    """Move the money as the new status demands: refund or void a card, mark cash collected."""
    card = order.payment_method == PaymentMethod.CARD
    ends = to in (OrderStatus.CANCELLED, OrderStatus.REFUNDED)
    if card and ends and order.payment_status == PaymentStatus.CAPTURED:
        card_gateway().refund(authorisation=order.payment_reference, amount=order.total)
        order.payment_status = PaymentStatus.REFUNDED
    elif not card and to == OrderStatus.CANCELLED:
        order.payment_status = PaymentStatus.VOIDED
    elif not card and to in (OrderStatus.PAID, OrderStatus.DELIVERED):
        order.payment_status = PaymentStatus.COLLECTED


EMAIL_ON = {
    OrderStatus.SHIPPED: "shipped",
    OrderStatus.CANCELLED: "cancelled",
    OrderStatus.REFUNDED: "refunded",
}


@transaction.atomic
def order_transition(
    *,
    actor,
    order: Order,
    to: str,
    tracking_number: str = "",
    note: str = "",
    as_guest: bool = False,
) -> Order:
    """Move an order to ``to`` if the table allows it for this actor; apply its effects.

    ``as_guest``: the move is the guest's own (no actor), checked as a customer's would be.
    """
    order = Order.objects.select_for_update().get(pk=order.pk)
    try:
        target = OrderStatus(to)
    except ValueError:
        target = None
    kind = _check_actor(actor, order, as_guest=as_guest)
    if kind == ActorKind.STAFF and target in ORDER_MOVE_TARGETS:
        _check_role(actor, target)
    if target is None or not transition_allowed(
        current=order.status, to=target, payment_method=order.payment_method, actor_kind=kind
    ):
        raise _refuse(
            OrderErrorCode.TRANSITION_NOT_ALLOWED,
            _("An order that is %(current)s cannot become %(target)s.")
            % {
                "current": OrderStatus(order.status).label.lower(),
                "target": OrderStatus(target).label.lower() if target else str(to)[:20],
            },
        )
    tracking_number = (tracking_number or "").strip()
    if target == OrderStatus.SHIPPED:
        if not tracking_number or len(tracking_number) > MAX_TRACKING_LENGTH:
            message = _("Enter the carrier's tracking number (up to 64 characters).")
            raise _refuse(
                OrderErrorCode.TRACKING_NUMBER_REQUIRED, message, tracking_number=[message]
            )
        order.tracking_number = tracking_number
    previous = order.status
    if target in (OrderStatus.CANCELLED, OrderStatus.REFUNDED) and previous in STOCK_RETURNS_FROM:
        _return_stock(order)
    _settle_payment(order, target)
    order.status = target
    order.save()
    order_event_add(
        order=order,
        actor=actor,
        from_status=previous,
        to_status=target,
        note=note,
        actor_kind=kind if as_guest else None,
    )
    if target in (OrderStatus.CANCELLED, OrderStatus.REFUNDED):
        # The invoice stands as issued; a credit note, in this same transaction, cancels it.
        credit_note_issue(order=order, reason=target.value)
    if kind == ActorKind.STAFF:
        # Staff changes to an order go to the tamper-evident log too, in this same transaction.
        changed = ["status", "tracking_number"] if target == OrderStatus.SHIPPED else ["status"]
        audit_record(
            actor=actor,
            action=OrderAuditAction.ORDER_CHANGED,
            target_type="order",
            target_id=order.number,
            subject_id=order.customer_id or order.pk,
            fields=changed,
            reason=f"{previous} -> {target.value}",
        )
    if target in EMAIL_ON:
        template = EMAIL_ON[target]
        transaction.on_commit(lambda: send_order_email(order, template))
    return order


def order_cancel_by_customer(*, customer, order: Order) -> Order:
    """The customer's own cancellation, allowed until the parcel is packed."""
    return order_transition(actor=customer, order=order, to=OrderStatus.CANCELLED)


def order_cancel_by_guest(*, order: Order, link_hash: str) -> Order:
    """A guest's own cancellation, by the order's link (``link_hash``, the hash of its secret,
    checked here): the customers' rule, until packed. A wrong link is the same 404 as none."""
    if not guest_link_usable(order, link_hash):
        raise OrderNotFound(OrderErrorCode.NOT_FOUND, _("There is no such order."))
    return order_transition(actor=None, order=order, to=OrderStatus.CANCELLED, as_guest=True)
