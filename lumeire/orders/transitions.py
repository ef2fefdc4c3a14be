"""Which status may follow which, and who may make the move.

A card order is paid when placed; a cash order waits for payment until delivery, so it may be
packed while still pending. Refunds go through the card's gateway, so only card orders have them.
"""

from __future__ import annotations

from lumeire.orders.models import ActorKind, OrderStatus, PaymentMethod

S = OrderStatus

ALLOWED: dict[OrderStatus, frozenset[OrderStatus]] = {
    S.PENDING_PAYMENT: frozenset({S.PAID, S.PACKED, S.CANCELLED}),
    S.PAID: frozenset({S.PACKED, S.CANCELLED, S.REFUNDED}),
    S.PACKED: frozenset({S.SHIPPED, S.CANCELLED, S.REFUNDED}),
    S.SHIPPED: frozenset({S.DELIVERED, S.REFUNDED}),
    S.DELIVERED: frozenset({S.REFUNDED}),
    S.CANCELLED: frozenset(),
    S.REFUNDED: frozenset(),
}

# A customer may only cancel, and only before the parcel is packed.
CUSTOMER_ALLOWED: dict[OrderStatus, frozenset[OrderStatus]] = {
    S.PENDING_PAYMENT: frozenset({S.CANCELLED}),
    S.PAID: frozenset({S.CANCELLED}),
}

# Goods not yet handed to the carrier go back on the shelf when the order ends.
STOCK_RETURNS_FROM = frozenset({S.PENDING_PAYMENT, S.PAID, S.PACKED})


def transition_allowed(
    *, current: str, to: str, payment_method: str, actor_kind: ActorKind
) -> bool:
    """Whether ``current -> to`` is a move this actor may make on an order paid this way."""
    current, to = OrderStatus(current), OrderStatus(to)
    table = CUSTOMER_ALLOWED if actor_kind == ActorKind.CUSTOMER else ALLOWED
    if to not in table.get(current, frozenset()):
        return False
    card = payment_method == PaymentMethod.CARD
    if to == S.REFUNDED and not card:
        return False
    # A card order is never pending: it was paid or never placed.
    return not (current == S.PENDING_PAYMENT and to in (S.PAID, S.PACKED) and card)


def next_statuses(*, current: str, payment_method: str, actor_kind: ActorKind) -> list[str]:
    """The moves open to this actor now, in the order a page lists them."""
    return [
        status
        for status in OrderStatus
        if transition_allowed(
            current=current, to=status, payment_method=payment_method, actor_kind=actor_kind
        )
    ]


def customer_may_cancel(order) -> bool:
    """Whether the order's customer may cancel it now (My orders' button, the API's field)."""
    return OrderStatus.CANCELLED in next_statuses(
        current=order.status, payment_method=order.payment_method, actor_kind=ActorKind.CUSTOMER
    )
