"""The names of the role groups the back office's tests and fixtures open staff accounts in.

Roles, their moves and what they see are ``lumeire.staff.access``'s; this module only names
three groups (made by migration 0002_order_roles) and re-exports the readers that use them.
"""

from __future__ import annotations

from lumeire.staff.access import ROLE_OF_GROUP, may_reveal, order_moves, staff_roles

FULFILMENT = "Fulfilment"
CUSTOMER_SERVICE = "Customer service"
OWNER = "Owner"


def role_moves(user) -> frozenset[str]:
    """The statuses the staff member's roles may move an order to."""
    return order_moves(user)


__all__ = ["ROLE_OF_GROUP", "may_reveal", "role_moves", "staff_roles"]
