"""The access matrix: for every back office URL and every API endpoint, the status each kind of
visitor gets. test_access_matrix.py walks the URL resolver and fails on any route missing here,
so a new page or endpoint cannot ship without someone deciding who may open it; the services
behind them are called directly for every role in test_service_matrix.py.

Visitors: ``anonymous``, a signed-in ``customer``, and a staff member of each role (signed in
with password and one-time code; on the API they present a bearer token of their own, which the
customer API refuses). Who may do what comes from the staff access model
(``lumeire.staff.access``); the rows below say which permission opens each page.

Keys: back office routes as the resolver writes them (``backoffice/orders/order/<path:
object_id>/change/``); API endpoints as ``METHOD /api/v1/path`` with ninja's ``{parameter}``.
A route with parameters is requested with real objects (the customer's order, a product, ...).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.db.models import Model

from lumeire.accounts.models import Customer, User
from lumeire.checkout.models import Address
from lumeire.compliance.services import CASE_REVEAL_FIELDS
from lumeire.orders.models import Order
from lumeire.staff.access import ROLE_PERMISSIONS, Permission, Way, role_clear_states
from lumeire.staff.roles import Role

ANONYMOUS = "anonymous"
CUSTOMER = "customer"
PRINCIPALS: tuple[str, ...] = (ANONYMOUS, CUSTOMER, *(role.value for role in Role))

# What anonymous visitors and customers get on a back office page: the staff sign-in page.
TO_SIGN_IN = 302

Expect = Mapping[str, int]
P = Permission


def _roles_with(permission: Permission | None) -> set[Role]:
    return {role for role in Role if permission in ROLE_PERMISSIONS[role]}


def staff_page(
    permission: Permission | None = None,
    *,
    ok: int = 200,
    denied: int = 403,
    roles: Iterable[Role] | None = None,
) -> Expect:
    """A back office page: outsiders to the sign-in page; staff whose role has ``permission``
    (or is in ``roles``) get ``ok``, every other role ``denied``."""
    allowed = set(roles) if roles is not None else _roles_with(permission)
    expect = {ANONYMOUS: TO_SIGN_IN, CUSTOMER: TO_SIGN_IN}
    expect |= {role.value: ok if role in allowed else denied for role in Role}
    return expect


def every_staff(status: int) -> Expect:
    """Open to every staff member (the status may still be a refusal of the request itself)."""
    return staff_page(ok=status, roles=tuple(Role))


def no_staff(status: int = 403) -> Expect:
    """A page the back office offers to no one (adding or deleting what only flows create)."""
    return staff_page(roles=(), denied=status)


def everyone(status: int) -> Expect:
    """The same answer for every visitor."""
    return {principal: status for principal in PRINCIPALS}


def customer_api(ok: int) -> Expect:
    """A customer endpoint: no token 401, a staff member's token 401, the customer ``ok``."""
    expect = everyone(401)
    expect[CUSTOMER] = ok
    return expect


def but(expect: Expect, status: int, *who: str | Role) -> Expect:
    """``expect`` with ``status`` for the visitors named."""
    return {**expect, **{str(getattr(w, "value", w)): status for w in who}}


ALL_ROLES = tuple(Role)


def revealers(permission: Permission, *models: type[Model]) -> tuple[Role, ...]:
    """Roles that may open a record's page and, by the staff access model, reveal at least one
    of its values (in some state): the reveal form opens for them and for no one else."""
    return tuple(
        role
        for role in Role
        if role in _roles_with(permission)
        and any(
            role_clear_states(role, model, field, Way.REVEAL) != frozenset()
            for model in models
            for field in model.personal_data
        )
    )


# A customer's page shows their account, profile and saved addresses' phones; an order its own.
CUSTOMER_REVEALERS = revealers(P.CUSTOMERS_VIEW, User, Customer, Address)
ORDER_REVEALERS = revealers(P.ORDERS_VIEW, Order)

# A case's subject: the values a case may reveal, for the roles that open cases (by the access
# model, the compliance officer alone; legal counsel decides on what the report holds).
CASE_REVEALERS = tuple(
    role
    for role in Role
    if role in _roles_with(P.CASES_VIEW)
    and any(
        role_clear_states(role, model, field, Way.REVEAL) != frozenset()
        for model, field in CASE_REVEAL_FIELDS.values()
    )
)
# Roles that may search by identity number (a reveal of it): the others are refused, recorded.
IDENTITY_SEARCHERS = tuple(
    role
    for role in Role
    if role in _roles_with(P.CUSTOMERS_SEARCH)
    and role_clear_states(role, Customer, "identity_number", Way.SEARCH) != frozenset()
)
CASE = "backoffice/compliance/case/<path:object_id>/"

BACK_OFFICE: dict[str, Expect | dict[str, Expect]] = {
    # Signing in: the form for whoever is not a signed-in staff member.
    "backoffice/login/": but(everyone(200), 302, *ALL_ROLES),
    "backoffice/logout/": every_staff(405),
    "backoffice/two-factor/": everyone(302),
    "backoffice/two-factor/enrol/": everyone(405),
    "backoffice/two-factor/confirm/": everyone(405),
    "backoffice/": every_staff(200),
    "backoffice/jsi18n/": every_staff(200),
    # Django's autocomplete asks for a model and a field: without them, refused for all.
    "backoffice/autocomplete/": every_staff(403),
    "backoffice/r/<path:content_type_id>/<path:object_id>/": every_staff(404),
    "backoffice/(?P<url>.*)$": every_staff(404),
    # One index per app, only for roles that see something in it.
    "backoffice/^(?P<app_label>accounts|audit|catalog|checkout|merchandising|orders)/$": {
        "audit": staff_page(P.AUDIT_VIEW, denied=404),
        "catalog": staff_page(P.CATALOGUE_MANAGE, denied=404),
        "merchandising": staff_page(P.CATALOGUE_MANAGE, denied=404),
        "accounts": staff_page(P.CUSTOMERS_VIEW, denied=404),
        "orders": staff_page(P.ORDERS_VIEW, denied=404),
        "checkout": staff_page(P.SHIPPING_MANAGE, denied=404),
    },
    # The audit log: read-only, for the Owner and the Compliance officer.
    "backoffice/audit/auditentry/": staff_page(P.AUDIT_VIEW),
    "backoffice/audit/auditentry/add/": no_staff(),
    "backoffice/audit/auditentry/<path:object_id>/change/": staff_page(P.AUDIT_VIEW),
    "backoffice/audit/auditentry/<path:object_id>/history/": staff_page(P.AUDIT_VIEW),
    "backoffice/audit/auditentry/<path:object_id>/delete/": no_staff(),
    "backoffice/audit/auditentry/<path:object_id>/": every_staff(302),
    # The catalogue.
    **{
        f"backoffice/catalog/{model}/{page}": staff_page(P.CATALOGUE_MANAGE)
        for model in ("category", "product", "variant", "searchsynonym")
        for page in (
            "",
            "add/",
            "<path:object_id>/change/",
            "<path:object_id>/history/",
            "<path:object_id>/delete/",
        )
    },
    # Variants are added with their product, on its page.
    "backoffice/catalog/variant/add/": no_staff(),
    **{
        f"backoffice/catalog/{model}/<path:object_id>/": every_staff(302)
        for model in ("category", "product", "variant", "searchsynonym")
    },
    # The home page's hero and banners: the catalogue's managers keep them.
    **{
        f"backoffice/merchandising/banner/{page}": staff_page(P.CATALOGUE_MANAGE)
        for page in (
            "",
            "add/",
            "<path:object_id>/change/",
            "<path:object_id>/history/",
            "<path:object_id>/delete/",
        )
    },
    "backoffice/merchandising/banner/<path:object_id>/": every_staff(302),
    # Customers: roles that work with customers; never the catalogue manager or the analyst.
    "backoffice/accounts/customer/": staff_page(P.CUSTOMERS_VIEW),
    # Searching is a POST, so the email or number searched for never sits in an address.
    "backoffice/accounts/customer/search/": staff_page(P.CUSTOMERS_SEARCH, ok=405),
    "backoffice/accounts/customer/search/identity/": staff_page(P.CUSTOMERS_SEARCH, ok=405),
    "backoffice/accounts/customer/add/": no_staff(),
    "backoffice/accounts/customer/<path:object_id>/change/": staff_page(P.CUSTOMERS_VIEW),
    "backoffice/accounts/customer/<path:object_id>/history/": staff_page(P.CUSTOMERS_VIEW),
    "backoffice/accounts/customer/<path:object_id>/delete/": no_staff(),
    "backoffice/accounts/customer/<path:object_id>/": every_staff(302),
    "backoffice/accounts/customer/<path:object_id>/reveal/": staff_page(roles=CUSTOMER_REVEALERS),
    # Orders.
    "backoffice/orders/order/": staff_page(P.ORDERS_VIEW),
    "backoffice/orders/order/add/": no_staff(),
    "backoffice/orders/order/<path:object_id>/change/": staff_page(P.ORDERS_VIEW),
    "backoffice/orders/order/<path:object_id>/history/": staff_page(P.ORDERS_VIEW),
    "backoffice/orders/order/<path:object_id>/delete/": no_staff(),
    "backoffice/orders/order/<path:object_id>/": every_staff(302),
    # Moves are POSTs (see BACK_OFFICE_POSTS); a GET is refused before anything is read.
    "backoffice/orders/order/<path:object_id>/move/": every_staff(405),
    "backoffice/orders/order/<path:object_id>/reveal/": staff_page(roles=ORDER_REVEALERS),
    # An order without a credit note: 404 for those who see orders.
    "backoffice/orders/order/<path:object_id>/credit-note/": staff_page(P.ORDERS_VIEW, ok=404),
    "backoffice/orders/order/export/": staff_page(P.ORDERS_EXPORT),
    # Delivery options: past orders name them, so they are switched off, never deleted.
    **{
        f"backoffice/checkout/shippingmethod/{page}": staff_page(P.SHIPPING_MANAGE)
        for page in ("", "add/", "<path:object_id>/change/", "<path:object_id>/history/")
    },
    "backoffice/checkout/shippingmethod/<path:object_id>/delete/": no_staff(),
    "backoffice/checkout/shippingmethod/<path:object_id>/": every_staff(302),
    # The privacy policy: the Owner and Legal counsel draft, compare and publish.
    "backoffice/policy/": staff_page(P.POLICY_MANAGE),
    "backoffice/policy/draft/": staff_page(P.POLICY_MANAGE),
    "backoffice/policy/publish/": staff_page(P.POLICY_MANAGE, ok=405),
    # Irregular-activity cases: compliance officers and legal counsel, never the Owner.
    "backoffice/compliance/case/": staff_page(P.CASES_VIEW),
    CASE: staff_page(P.CASES_VIEW),
    # Each step is a POST (see BACK_OFFICE_POSTS): a GET is refused once the role is checked.
    # Notes and the report are for both roles; the review, legal requests, marking a case
    # reported and protective actions for the compliance officer; the decision for legal counsel.
    CASE + "note/": staff_page(P.CASES_VIEW, ok=405),
    CASE + "move/": staff_page(P.CASES_WORK, ok=405),
    CASE + "assign/": staff_page(P.CASES_WORK, ok=405),
    CASE + "legal/request/": staff_page(P.CASES_WORK, ok=405),
    CASE + "legal/decision/": staff_page(P.CASES_DECIDE, ok=405),
    CASE + "report/": staff_page(P.CASES_VIEW, ok=405),
    # A file is named by ?file=: without one, there is nothing to download.
    CASE + "report/download/": staff_page(P.CASES_VIEW, ok=404),
    CASE + "reported/": staff_page(P.CASES_WORK, ok=405),
    CASE + "action/": staff_page(P.CASES_WORK, ok=405),
    CASE + "action/reverse/": staff_page(P.CASES_WORK, ok=405),
    CASE + "reveal/": staff_page(roles=CASE_REVEALERS, ok=405),
}

# The query each GET of a route carries (the reveal form asks which field; "all" is every field
# the role may see, and a role that may see none of them is refused).
QUERIES: dict[str, str] = {
    "backoffice/accounts/customer/<path:object_id>/reveal/": "?field=all",
    "backoffice/orders/order/<path:object_id>/reveal/": "?field=all",
}

# Pages whose work is a POST, forged by every visitor with an incomplete form: outsiders go to
# sign-in, roles without the right get 403 (a refused reveal is recorded), the rest a refusal
# of the form itself. Nothing changes either way.
BACK_OFFICE_POSTS: dict[str, tuple[dict[str, str], Expect]] = {
    "backoffice/orders/order/<path:object_id>/move/": ({}, staff_page(P.ORDERS_VIEW, ok=302)),
    "backoffice/accounts/customer/search/": ({}, staff_page(P.CUSTOMERS_SEARCH, ok=400)),
    # A search by identity number is a reveal: refused (and recorded) for roles that may not
    # see identity numbers, an empty form a 400 for those that may.
    "backoffice/accounts/customer/search/identity/": (
        {},
        staff_page(roles=IDENTITY_SEARCHERS, ok=400),
    ),
    "backoffice/accounts/customer/<path:object_id>/reveal/": (
        {"field": "all"},
        staff_page(roles=CUSTOMER_REVEALERS, ok=400),
    ),
    "backoffice/orders/order/<path:object_id>/reveal/": (
        {"field": "all"},
        staff_page(roles=ORDER_REVEALERS, ok=400),
    ),
    "backoffice/two-factor/enrol/": ({}, everyone(302)),
    "backoffice/two-factor/confirm/": ({}, everyone(302)),
    "backoffice/policy/publish/": ({}, staff_page(P.POLICY_MANAGE, ok=400)),
    "backoffice/policy/draft/": ({}, staff_page(P.POLICY_MANAGE, ok=400)),
    # An empty form changes no case: a missing note, button, summary, decision, date, action,
    # or field is refused (400); a report of a case not approved is a conflict (409).
    CASE + "note/": ({}, staff_page(P.CASES_VIEW, ok=400)),
    CASE + "move/": ({}, staff_page(P.CASES_WORK, ok=400)),
    CASE + "assign/": ({}, staff_page(P.CASES_WORK, ok=400)),
    CASE + "legal/request/": ({}, staff_page(P.CASES_WORK, ok=400)),
    CASE + "legal/decision/": ({}, staff_page(P.CASES_DECIDE, ok=400)),
    CASE + "report/": ({}, staff_page(P.CASES_VIEW, ok=409)),
    CASE + "reported/": ({}, staff_page(P.CASES_WORK, ok=400)),
    CASE + "action/": ({}, staff_page(P.CASES_WORK, ok=400)),
    CASE + "action/reverse/": ({}, staff_page(P.CASES_WORK, ok=400)),
    CASE + "reveal/": ({}, staff_page(roles=CASE_REVEALERS, ok=400)),
}

API: dict[str, Expect] = {
    # The contract and its docs are public.
    "GET /api/v1/openapi.json": everyone(200),
    "GET /api/v1/docs": everyone(200),
    "GET /api/v1/": everyone(404),
    # Accounts: bodies are sent empty ({}), so public forms answer 400 to everyone.
    "GET /api/v1/accounts/recovery-questions": everyone(200),
    "POST /api/v1/accounts/signup": everyone(400),
    "POST /api/v1/accounts/signup/confirm": everyone(400),
    "POST /api/v1/accounts/signin": everyone(400),
    "POST /api/v1/accounts/signout": customer_api(204),
    "GET /api/v1/accounts/me": customer_api(200),
    "PATCH /api/v1/accounts/me": customer_api(200),
    "POST /api/v1/accounts/password": customer_api(400),
    "POST /api/v1/accounts/password-recovery": everyone(400),
    "POST /api/v1/accounts/password-recovery/complete": everyone(400),
    # Privacy.
    "GET /api/v1/privacy/policy": everyone(200),
    "POST /api/v1/privacy/policy/accept": customer_api(400),
    "GET /api/v1/privacy/access-log": customer_api(200),
    "POST /api/v1/privacy/exports": customer_api(202),
    "GET /api/v1/privacy/exports/{id}": customer_api(404),
    "GET /api/v1/privacy/exports/{id}/download": customer_api(404),
    "POST /api/v1/privacy/erasure": customer_api(400),
    # The shop and the cart (a guest has a cart too).
    "GET /api/v1/catalog/categories": everyone(200),
    "GET /api/v1/catalog/products": everyone(200),
    "GET /api/v1/catalog/products/{slug}": everyone(200),
    "GET /api/v1/catalog/suggestions": everyone(200),
    # A token is optional on the cart, but one that is not a customer's is refused.
    "GET /api/v1/cart": but(everyone(200), 401, *ALL_ROLES),
    "POST /api/v1/cart/lines": everyone(400),
    "PATCH /api/v1/cart/lines/{id}": everyone(400),
    "DELETE /api/v1/cart/lines/{id}": but(everyone(404), 401, *ALL_ROLES),
    "POST /api/v1/payments/test-gateway/tokens": everyone(400),
    # Checkout and the customer's orders ({number} is the customer's own order).
    "GET /api/v1/checkout/shipping-methods": everyone(200),
    "POST /api/v1/checkout/orders": customer_api(400),
    "GET /api/v1/orders": customer_api(200),
    "GET /api/v1/orders/{number}": customer_api(200),
    "POST /api/v1/orders/{number}/cancel": customer_api(200),
}
