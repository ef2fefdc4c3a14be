"""Which staff role a back office group stands for, and what each role sees and does on orders.

The groups are made by this app's migrations and carry the permissions the order services
check. ``orders.change_order`` alone cannot tell packing from cancelling, so the moves of each
role are listed here; the order services still check every move against their own table.
"""

from __future__ import annotations

from lumeire.orders.models import OrderStatus
from lumeire.staff.access import ROLE_OF_GROUP, may_reveal, staff_roles
from lumeire.staff.roles import Role

# Made by migration 0002_order_roles; the names are what create_staff --group takes.
FULFILMENT = "Fulfilment"
CUSTOMER_SERVICE = "Customer service"
OWNER = "Owner"

MOVES_OF_ROLE: dict[Role, frozenset[OrderStatus]] = {
    Role.OWNER: frozenset(OrderStatus),
    Role.FULFILMENT: frozenset({OrderStatus.PACKED, OrderStatus.SHIPPED, OrderStatus.DELIVERED}),
    Role.CUSTOMER_SERVICE: frozenset({OrderStatus.CANCELLED, OrderStatus.REFUNDED}),
}


def role_moves(user) -> frozenset[OrderStatus]:
    """The statuses the staff member's roles may move an order to."""
    moves: set[OrderStatus] = set()
    for role in staff_roles(user):
        moves |= MOVES_OF_ROLE.get(role, frozenset())
    return frozenset(moves)


__all__ = ["ROLE_OF_GROUP", "may_reveal", "role_moves", "staff_roles"]
