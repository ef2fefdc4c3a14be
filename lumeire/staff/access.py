"""The store's one authorization model: what each staff role may open, do and see in clear.

Everything a staff member may do is read from here, and only from here:

- ``ROLE_PERMISSIONS``: the acts of each role (pages, searches, exports, case steps);
- ``MOVES_OF_PERMISSION``: which order statuses those acts may move an order to
  (``order_transition`` asks ``may_move_order`` whoever calls it);
- ``MODEL_PERMISSIONS``: the Django model permissions the back office pages ask for
  (``lumeire.staff.backends.StaffRoleBackend`` answers ``user.has_perm`` from them; groups
  carry no permissions of their own);
- ``CLEAR_GRANTS``: which personal values a role may see in clear, in which way (a reveal with a
  reason, on the page of the work, in an export, in an identity search, in a case) and, for
  orders, in which states.

Roles are Django groups made by migrations, one per ``Role`` (the group names below are what
``create_staff --group`` takes). The role table of the README (``manage.py roles_table``) and
the policy's "who may see what" paragraph are generated from this module (``describe.py``); the
data inventory's ``reveal_roles`` must agree with ``CLEAR_GRANTS`` (a test compares them).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lumeire.core.addresses import ADDRESS_FIELDS
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
    """What a staff member may do, besides seeing values in clear (``CLEAR_GRANTS``)."""

    CATALOGUE_MANAGE = "catalogue.manage"
    ORDERS_VIEW = "orders.view"
    ORDERS_MARK_PAID = "orders.mark_paid"  # cash collected before delivery
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

# The order statuses (values of lumeire.orders.models.OrderStatus; the staff app sits below
# the orders app, so it names them; a test keeps the two the same).
ORDER_STATUSES = (
    "pending_payment",
    "paid",
    "packed",
    "shipped",
    "delivered",
    "cancelled",
    "refunded",
)
# The statuses an act may move an order to; the transition table still decides from where.
MOVES_OF_PERMISSION: dict[Permission, frozenset[str]] = {
    P.ORDERS_MARK_PAID: frozenset({"paid"}),
    P.ORDERS_FULFIL: frozenset({"packed", "shipped", "delivered"}),
    P.ORDERS_CANCEL: frozenset({"cancelled"}),
    P.ORDERS_REFUND: frozenset({"refunded"}),
}
# Every status some act may move an order to (an order is never moved back to pending).
ORDER_MOVE_TARGETS = frozenset().union(*MOVES_OF_PERMISSION.values())


def _model_permissions(app_label: str, models_: Iterable[str], actions: Iterable[str]):
    return frozenset(f"{app_label}.{action}_{model}" for model in models_ for action in actions)


# The Django model permissions (``app_label.action_model``) each act opens; the back office's
# pages ask for these through ``user.has_perm``. Delete is left out where the pages never
# delete (orders, delivery options, the audit log).
MODEL_PERMISSIONS: dict[Permission, frozenset[str]] = {
    P.CATALOGUE_MANAGE: _model_permissions(
        "catalog",
        ("category", "product", "variant", "productimage", "searchsynonym"),
        ("add", "change", "delete", "view"),
    )
    # The home page's hero and banners are the catalogue's shop window.
    | _model_permissions("merchandising", ("banner",), ("add", "change", "delete", "view")),
    P.ORDERS_VIEW: frozenset({"orders.view_order"}),
    P.CUSTOMERS_VIEW: frozenset({"accounts.view_customer"}),
    P.SHIPPING_MANAGE: _model_permissions(
        "checkout", ("shippingmethod",), ("add", "change", "view")
    ),
    P.AUDIT_VIEW: frozenset({"audit.view_auditentry"}),
}


class Way(StrEnum):
    """How a role may come to see a personal value in clear."""

    REVEAL = "reveal"  # one record at a time, with a reason; the customer sees it
    AT_WORK = "at_work"  # on the page of the work itself; each view recorded, the customer sees it
    EXPORT = "export"  # in a CSV export, with a reason; each customer in it sees it
    SEARCH = "search"  # found by the exact value, with a reason, a few times an hour
    CASE = "case"  # on the pages of the irregular-activity cases the role works


@dataclass(frozen=True)
class ClearValues:
    """A named group of personal fields, as the role table and the policy name them."""

    label: Promise
    fields: tuple[tuple[str, str], ...]  # (model label, field name)


@dataclass(frozen=True)
class ClearGrant:
    """Values a role may see in clear, the ways it may, and (for orders) in which states."""

    values: ClearValues
    ways: frozenset[Way]
    order_states: frozenset[str] | None = None  # None: whatever the order's status
    states_label: Promise | None = None  # the states in words, for the table and the policy

    def covers(self, model_label: str, field: str) -> bool:
        return (model_label, field) in self.values.fields


ACCOUNT_CONTACT = ClearValues(
    gettext_lazy("name, username and email"),
    (
        ("accounts.Customer", "full_name"),
        ("accounts.User", "username"),
        ("accounts.User", "email"),
        # The email a guest gave for their order: the same look as a customer's email.
        ("orders.Order", "guest_email"),
    ),
)
SAVED_ADDRESSES = ClearValues(
    gettext_lazy("saved delivery addresses and phones"),
    tuple(("checkout.Address", field) for field in ADDRESS_FIELDS),
)
# The identity number in the words of the privacy policy's first clause.
IDENTITY_NUMBER = ClearValues(
    gettext_lazy("national ID number or residence number (iqama)"),
    (("accounts.Customer", "identity_number"),),
)
# Finding a customer by the exact value tells whoever searches that the value is theirs: a
# search is open only to roles that may see the value, and by identity number it is a reveal.
ACCOUNT_LOGIN = ClearValues(
    gettext_lazy("email or username"),
    (("accounts.User", "username"), ("accounts.User", "email")),
)
IDENTITY_NUMBER_SEARCH = ClearValues(
    gettext_lazy(
        "national ID number or residence number (iqama), each search with a reason and a few "
        "an hour"
    ),
    (("accounts.Customer", "identity_number"),),
)
DATE_OF_BIRTH = ClearValues(
    gettext_lazy("date of birth"), (("accounts.Customer", "date_of_birth"),)
)
ORDER_DELIVERY = ClearValues(
    gettext_lazy("an order's delivery name, phone and address"),
    tuple(("orders.Order", field) for field in ADDRESS_FIELDS),
)
ORDER_CARD = ClearValues(
    gettext_lazy("an order's card brand and last four digits"),
    (("orders.Order", "card_brand"), ("orders.Order", "card_last4")),
)
CASE_FILE = ClearValues(
    gettext_lazy("the notes, summaries, opinions and reports of irregular-activity cases"),
    (
        ("compliance.Case", "client_ref"),
        ("compliance.Case", "legal_summary"),
        ("compliance.Case", "legal_opinion"),
        ("compliance.Signal", "client_ref"),
        ("compliance.CaseEvent", "text"),
        ("compliance.ProtectiveAction", "client_ref"),
        ("compliance.ReportFile", "sealed"),
    ),
)
CASE_EVIDENCE = ClearValues(
    gettext_lazy(
        "the keyed references of the sign-ins, sign-ups and card payments behind a case "
        "(never a login or a network address)"
    ),
    (
        ("accounts.SignInEvent", "login_ref"),
        ("accounts.SignInEvent", "client_ref"),
        ("accounts.SignupConflict", "index_ref"),
        ("accounts.SignupConflict", "client_ref"),
        ("accounts.TakenDetailsAttempt", "client_ref"),
        ("checkout.PaymentAttempt", "client_hash"),
    ),
)

# A card order is paid when placed, so a pending order is a cash order waiting to go out: with
# paid and packed, these are the orders fulfilment packs or ships now.
READY_TO_PACK_OR_SHIP = frozenset({"pending_payment", "paid", "packed"})
READY_LABEL = gettext_lazy("while the order waits to be packed or shipped")

W = Way
CLEAR_GRANTS: dict[Role, tuple[ClearGrant, ...]] = {
    Role.OWNER: (
        ClearGrant(ACCOUNT_CONTACT, frozenset({W.REVEAL})),
        ClearGrant(ACCOUNT_LOGIN, frozenset({W.SEARCH})),
        ClearGrant(SAVED_ADDRESSES, frozenset({W.REVEAL})),
        ClearGrant(IDENTITY_NUMBER, frozenset({W.REVEAL})),
        ClearGrant(IDENTITY_NUMBER_SEARCH, frozenset({W.SEARCH})),
        ClearGrant(DATE_OF_BIRTH, frozenset({W.REVEAL})),
        ClearGrant(ORDER_DELIVERY, frozenset({W.REVEAL, W.EXPORT})),
        ClearGrant(ORDER_CARD, frozenset({W.REVEAL, W.EXPORT})),
    ),
    Role.CUSTOMER_SERVICE: (
        ClearGrant(ACCOUNT_CONTACT, frozenset({W.REVEAL})),
        ClearGrant(ACCOUNT_LOGIN, frozenset({W.SEARCH})),
        ClearGrant(SAVED_ADDRESSES, frozenset({W.REVEAL})),
        ClearGrant(ORDER_DELIVERY, frozenset({W.REVEAL})),
        ClearGrant(ORDER_CARD, frozenset({W.REVEAL})),
    ),
    Role.FULFILMENT: (
        ClearGrant(
            ORDER_DELIVERY,
            frozenset({W.AT_WORK, W.EXPORT}),
            order_states=READY_TO_PACK_OR_SHIP,
            states_label=READY_LABEL,
        ),
    ),
    Role.CATALOGUE_MANAGER: (),
    Role.COMPLIANCE_OFFICER: (
        ClearGrant(IDENTITY_NUMBER, frozenset({W.REVEAL})),
        ClearGrant(IDENTITY_NUMBER_SEARCH, frozenset({W.SEARCH})),
        ClearGrant(DATE_OF_BIRTH, frozenset({W.REVEAL})),
        ClearGrant(CASE_FILE, frozenset({W.CASE})),
        ClearGrant(CASE_EVIDENCE, frozenset({W.CASE})),
    ),
    Role.LEGAL_COUNSEL: (ClearGrant(CASE_FILE, frozenset({W.CASE})),),
    Role.ANALYST: (),
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


# --- Order moves -------------------------------------------------------------------------------


def role_order_moves(role: Role) -> frozenset[str]:
    """The statuses a role may move an order to."""
    moves: set[str] = set()
    for permission in ROLE_PERMISSIONS[role]:
        moves |= MOVES_OF_PERMISSION.get(permission, frozenset())
    return frozenset(moves)


def order_moves(user) -> frozenset[str]:
    """The statuses the staff member's roles may move an order to (none for customers)."""
    moves: set[str] = set()
    for role in staff_roles(user):
        moves |= role_order_moves(role)
    return frozenset(moves)


def may_move_order(user, to: str) -> bool:
    """Whether the staff member's roles may move an order to the status ``to``."""
    return str(to) in order_moves(user)


# --- Pages (Django model permissions) ----------------------------------------------------------


def role_model_permissions(role: Role) -> frozenset[str]:
    """The Django model permissions of one role."""
    found: set[str] = set()
    for permission in ROLE_PERMISSIONS[role]:
        found |= MODEL_PERMISSIONS.get(permission, frozenset())
    return frozenset(found)


def model_permissions(user) -> frozenset[str]:
    """The Django model permissions of a staff member's roles; a superuser flag adds nothing."""
    found: set[str] = set()
    for role in staff_roles(user):
        found |= role_model_permissions(role)
    return frozenset(found)


def has_model_permission(user, perm: str) -> bool:
    """Whether the staff member's roles open ``perm`` ("catalog.change_product")."""
    return perm in model_permissions(user)


# --- Values in clear ---------------------------------------------------------------------------

ANY_STATE = None
NOT_ALLOWED = frozenset()


def model_label(model: type[models.Model] | str) -> str:
    return model if isinstance(model, str) else model._meta.label


def role_clear_states(
    role: Role, model: type[models.Model] | str, field: str, way: Way
) -> frozenset[str] | None:
    """The order states in which ``role`` may see ``field`` this ``way``: ``None`` for any
    state, an empty set when never."""
    label = model_label(model)
    states: set[str] = set()
    for grant in CLEAR_GRANTS[role]:
        if way in grant.ways and grant.covers(label, field):
            if grant.order_states is None:
                return ANY_STATE
            states |= grant.order_states
    return frozenset(states)


def clear_states(
    user, model: type[models.Model] | str, field: str, way: Way
) -> frozenset[str] | None:
    """The union over the staff member's roles of ``role_clear_states``."""
    states: set[str] = set()
    for role in staff_roles(user):
        found = role_clear_states(role, model, field, way)
        if found is ANY_STATE:
            return ANY_STATE
        states |= found
    return frozenset(states)


def may_see(user, model: type[models.Model] | str, field: str, *, way: Way, record=None) -> bool:
    """Whether the staff member may see ``field`` in clear this ``way``.

    A grant limited to some order states needs the record (the order) to decide: without one
    the answer is no.
    """
    states = clear_states(user, model, field, way)
    if states is ANY_STATE:
        return True
    if not states or record is None:
        return False
    return str(getattr(record, "status", "")) in states


def may_reveal(user, model: type[models.Model] | str, field: str, record=None) -> bool:
    """Whether the staff member may reveal ``field`` (with a reason) of ``record``."""
    return may_see(user, model, field, way=Way.REVEAL, record=record)


def may_search_identity_number(user) -> bool:
    """Whether the staff member may find a customer by identity number (a reveal of it)."""
    return has_permission(user, Permission.CUSTOMERS_SEARCH) and may_see(
        user, "accounts.Customer", "identity_number", way=Way.SEARCH
    )


def may_search_email_and_username(user) -> bool:
    """Whether the staff member may find a customer by exact email or username (roles that may
    see both in clear anyway)."""
    return has_permission(user, Permission.CUSTOMERS_SEARCH) and all(
        may_see(user, "accounts.User", field, way=Way.SEARCH) for field in ("email", "username")
    )


def roles_seeing(model: type[models.Model] | str, field: str) -> frozenset[Role]:
    """The roles that may see ``field`` in clear in any way (the inventory's reveal_roles)."""
    label = model_label(model)
    return frozenset(
        role for role in Role if any(grant.covers(label, field) for grant in CLEAR_GRANTS[role])
    )
