"""Who a staff member is in the store: their roles, what each role may do and may see.

Roles are Django groups made by migrations, one per ``Role`` (the group names below are what
``create_staff --group`` takes). What a role may see in clear comes from the data inventory
(each personal field's ``reveal_roles``); what it may do is ``ROLE_PERMISSIONS``. Services
call ``require(actor, Permission.X)`` first, so every interface enforces the same rules.
"""

from __future__ import annotations

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext as _

from lumeire.core.errors import PermissionDeniedError
from lumeire.staff.roles import Role

GROUP_OF_ROLE: dict[Role, str] = {
    Role.OWNER: "Owner",
    Role.CUSTOMER_SERVICE: "Customer service",
    Role.FULFILMENT: "Fulfilment",
    Role.CATALOGUE_MANAGER: "Catalogue manager",
    Role.COMPLIANCE_OFFICER: "Compliance officer",
    Role.LEGAL_COUNSEL: "Legal counsel",
    Role.ANALYST: "Analyst",
}
ROLE_OF_GROUP: dict[str, Role] = {group: role for role, group in GROUP_OF_ROLE.items()}


class Permission(StrEnum):
    """What a staff member may do, besides seeing values in clear (that is the inventory's)."""

    CATALOGUE_MANAGE = "catalogue.manage"
    ORDERS_VIEW = "orders.view"
    ORDERS_FULFIL = "orders.fulfil"  # pack, ship, deliver
    ORDERS_CANCEL = "orders.cancel"
    ORDERS_REFUND = "orders.refund"
    ORDERS_EXPORT = "orders.export"
    CUSTOMERS_VIEW = "customers.view"
    CUSTOMERS_SEARCH = "customers.search"
    SHIPPING_MANAGE = "shipping.manage"
    AUDIT_VIEW = "audit.view"
    STAFF_MANAGE = "staff.manage"
    AGGREGATES_VIEW = "aggregates.view"
    POLICY_MANAGE = "policy.manage"  # draft, compare and publish privacy policy versions
    CASES_VIEW = "cases.view"  # irregular-activity cases: list, open, notes
    CASES_WORK = "cases.work"  # review, protective actions, ask legal, report
    CASES_DECIDE = "cases.decide"  # the legal decision on a case


# Cases are reached only by the roles whose job they are: not even the owner sees them, so a
# report to the authorities always passes a compliance officer and a separate legal counsel.
CASE_PERMISSIONS = frozenset(
    {Permission.CASES_VIEW, Permission.CASES_WORK, Permission.CASES_DECIDE}
)


P = Permission
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.OWNER: frozenset(Permission) - CASE_PERMISSIONS,
    Role.CUSTOMER_SERVICE: frozenset(
        {
            P.ORDERS_VIEW,
            P.ORDERS_CANCEL,
            P.ORDERS_REFUND,
            P.ORDERS_EXPORT,
            P.CUSTOMERS_VIEW,
            P.CUSTOMERS_SEARCH,
        }
    ),
    Role.FULFILMENT: frozenset({P.ORDERS_VIEW, P.ORDERS_FULFIL, P.ORDERS_EXPORT}),
    Role.CATALOGUE_MANAGER: frozenset({P.CATALOGUE_MANAGE}),
    Role.COMPLIANCE_OFFICER: frozenset(
        {
            P.ORDERS_VIEW,
            P.CUSTOMERS_VIEW,
            P.CUSTOMERS_SEARCH,
            P.AUDIT_VIEW,
            P.CASES_VIEW,
            P.CASES_WORK,
        }
    ),
    Role.LEGAL_COUNSEL: frozenset(
        {P.CUSTOMERS_VIEW, P.POLICY_MANAGE, P.CASES_VIEW, P.CASES_DECIDE}
    ),
    Role.ANALYST: frozenset({P.AGGREGATES_VIEW}),
}

_CACHE_ATTRIBUTE = "_lumeire_staff_roles"


def staff_roles(user) -> frozenset[Role]:
    """The roles of a staff member's groups (read once per request); customers have none."""
    if not getattr(user, "is_staff", False) or not getattr(user, "is_active", False):
        return frozenset()
    cached = getattr(user, _CACHE_ATTRIBUTE, None)
    if cached is None:
        cached = group_roles(user)
        setattr(user, _CACHE_ATTRIBUTE, cached)
    return cached


def group_roles(user) -> frozenset[Role]:
    """The roles of an account's groups as they are now, read from the database each time (the
    audit log stores these with each entry a staff member writes)."""
    names = user.groups.values_list("name", flat=True)
    return frozenset(ROLE_OF_GROUP[name] for name in names if name in ROLE_OF_GROUP)


def has_permission(user, permission: Permission) -> bool:
    """Whether one of the staff member's roles grants ``permission``."""
    return any(permission in ROLE_PERMISSIONS[role] for role in staff_roles(user))


def require(actor, permission: Permission) -> None:
    """Refuse (403) unless the actor's roles grant ``permission``."""
    if not has_permission(actor, permission):
        raise PermissionDeniedError(
            "permission_denied", _("Your role does not allow this."), status_code=403
        )


def may_reveal(user, model: type[models.Model], field: str) -> bool:
    """Whether the data inventory lets one of the staff member's roles see ``field`` in clear."""
    declaration = getattr(model, "personal_data", {}).get(field)
    if declaration is None:
        return False
    return bool({role.value for role in staff_roles(user)} & declaration.reveal_roles)
