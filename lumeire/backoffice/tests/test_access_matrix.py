"""Every back office URL and every API endpoint, for every kind of visitor, gives the status the
access matrix (access_matrix.py) says; a route the matrix does not know fails the suite.

The routes come from the URL resolver and from the NinjaAPI's own routers, never from a list
kept by hand, so a page or endpoint added without a decision about who may open it is caught.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

import pytest
from django.contrib.admin.utils import quote
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, include, path
from ninja.utils import normalize_path

from lumeire.accounts.models import User
from lumeire.accounts.services.signin import api_token_issue
from lumeire.accounts.tests.factories import make_customer
from lumeire.audit.models import AuditAction, AuditEntry, RevealReason
from lumeire.backoffice.tests.access_matrix import (
    ANONYMOUS,
    API,
    BACK_OFFICE,
    BACK_OFFICE_POSTS,
    CUSTOMER,
    CUSTOMER_REVEALERS,
    IDENTITY_SEARCHERS,
    ORDER_REVEALERS,
    PRINCIPALS,
    QUERIES,
)
from lumeire.backoffice.tests.factories import BACKEND, make_staff, staff_client
from lumeire.catalog.models import SearchSynonym
from lumeire.checkout.models import ShippingMethod
from lumeire.checkout.tests.order_factories import place_order
from lumeire.compliance.models import Case
from lumeire.merchandising.tests.factories import make_banner
from lumeire.orders.models import Order
from lumeire.staff.access import GROUP_OF_ROLE
from lumeire.staff.roles import Role

pytestmark = pytest.mark.django_db

SIGN_IN = "/backoffice/login/"
INDEX = "/backoffice/"
MISSING = "add it to the matrix in lumeire/backoffice/tests/access_matrix.py"
APP_LIST = re.compile(r"\(\?P<app_label>([^)]*)\)")
PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")
_addresses = (f"198.51.100.{n % 250 + 1}" for n in itertools.count())


# --- The routes, as the resolver and the API know them -----------------------------------------


def _walk(patterns, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def _sorted_app_list(route: str) -> str:
    """The admin's app index lists apps in the order their admin modules were imported: sort
    them, so the route reads the same however the suite was started."""
    return APP_LIST.sub(
        lambda match: "(?P<app_label>" + "|".join(sorted(match[1].split("|"))) + ")", route
    )


def resolver_routes(start: str, patterns=None) -> list[str]:
    """Every route of the project's URLconf (or of ``patterns``) that begins with ``start``."""
    found = _walk(get_resolver().url_patterns if patterns is None else patterns)
    routes = (_sorted_app_list(route) for route, _ in found if route.startswith(start))
    return list(dict.fromkeys(routes))


def unmatched_back_office_routes(patterns=None) -> list[str]:
    return [route for route in resolver_routes("backoffice/", patterns) if route not in BACK_OFFICE]


def _ninja_api():
    """The NinjaAPI serving /api/v1/, found through the resolver (the back office may not
    import the API package): its schema view carries it."""
    for route, pattern in _walk(get_resolver().url_patterns):
        if route == "api/v1/openapi.json":
            return pattern.callback.keywords["api"]
    raise AssertionError("no /api/v1/openapi.json in the URLconf")


def api_operations() -> list[str]:
    """Every operation of the API as ``METHOD /api/v1/path``, from ninja's own routers."""
    found = []
    for prefix, router in _ninja_api()._routers:
        for route, path_view in router.path_operations.items():
            full = "/api/v1" + normalize_path(f"/{prefix}/{route}").rstrip("/")
            for operation in path_view.operations:
                found += [f"{method} {full}" for method in operation.methods]
    return found


def _api_paths_of_the_resolver() -> set[str]:
    return {"/" + PARAMETER.sub(r"{\1}", route).rstrip("/") for route in resolver_routes("api/v1/")}


# --- The visitors and the objects their URLs name ----------------------------------------------


class World:
    """One customer with an order, the store around it, and a browser per kind of visitor."""

    def __init__(self) -> None:
        self.customer: User = make_customer()
        self.order: Order = place_order(customer=self.customer)
        variant = self.order.lines.get().variant
        self.objects = {
            "catalog.category": variant.product.category,
            "catalog.product": variant.product,
            "catalog.variant": variant,
            "orders.order": self.order,
            "checkout.shippingmethod": ShippingMethod.objects.order_by("pk").first(),
            "accounts.customer": self.customer.customer,
            "compliance.case": Case.objects.create(subject=self.customer, score=40),
            "merchandising.banner": make_banner(),
            "catalog.searchsynonym": SearchSynonym.objects.create(
                word="scent", equivalents="perfume"
            ),
        }
        self.staff = {
            role.value: make_staff(groups=[GROUP_OF_ROLE[role]], username=f"matrix_{role.value}")
            for role in Role
        }
        customer_browser = Client()
        customer_browser.force_login(self.customer, backend=BACKEND)
        self.browsers = {ANONYMOUS: Client(), CUSTOMER: customer_browser}
        self.browsers |= {role: staff_client(user) for role, user in self.staff.items()}
        # The log holds the staff sign-ins by now: its pages have an entry to open.
        self.objects["audit.auditentry"] = AuditEntry.objects.order_by("pk").first()

    def back_office_urls(self, route: str) -> dict[str, str]:
        """The URL(s) to request for a route: its parameters filled with real objects."""
        if route == "backoffice/(?P<url>.*)$":
            return {"": "/backoffice/no-such-page/"}
        if (alternatives := APP_LIST.search(route)) is not None:
            return {label: f"/backoffice/{label}/" for label in alternatives[1].split("|")}
        path = route.replace("<path:content_type_id>/<path:object_id>", "0/0")
        if "<path:object_id>" in path:
            _, app_label, model_name, *_rest = path.split("/")
            found = self.objects[f"{app_label}.{model_name}"]
            path = path.replace("<path:object_id>", quote(str(found.pk)))
        assert "<" not in path, f"no object for {route}: teach World.back_office_urls"
        return {"": "/" + path + QUERIES.get(route, "")}

    def api_request(self, key: str, principal: str):
        method, path = key.split(" ", 1)
        product = self.objects["catalog.product"]
        path = (
            path.format(slug=product.slug, number=self.order.number, id=0) if "{" in path else path
        )
        headers = {}
        if principal == CUSTOMER:
            headers["Authorization"] = f"Bearer {api_token_issue(user=self.customer).raw}"
        elif principal != ANONYMOUS:
            headers["Authorization"] = f"Bearer {api_token_issue(user=self.staff[principal]).raw}"
        send = getattr(self.browsers[principal], method.lower())
        kwargs = {"headers": headers, "REMOTE_ADDR": next(_addresses)}
        if method in ("POST", "PATCH", "PUT"):
            kwargs |= {"data": "{}", "content_type": "application/json"}
        return send(path, **kwargs)


@pytest.fixture
def world() -> World:
    return World()


# --- Every route has a row -----------------------------------------------------------------------


def test_every_back_office_url_is_in_the_matrix():
    routes = resolver_routes("backoffice/")

    assert routes, "the resolver lists no back office URL"
    assert unmatched_back_office_routes() == [], MISSING
    assert [route for route in BACK_OFFICE if route not in routes] == [], "a stale row"


def test_a_back_office_url_added_without_a_row_is_caught():
    """The check above would fail for a page added tomorrow, wherever it is mounted."""
    extra = [
        path("backoffice/", include([path("refunds/report/", lambda request: None)])),
        *get_resolver().url_patterns,
    ]

    assert unmatched_back_office_routes(extra) == ["backoffice/refunds/report/"]


def test_every_api_endpoint_is_in_the_matrix():
    operations = api_operations()
    paths = {key.split(" ", 1)[1].rstrip("/") for key in API}

    assert operations, "the API lists no endpoint"
    assert [key for key in operations if key not in API] == [], MISSING
    # Routes outside the routers (the schema, the docs, the root) are in the resolver only.
    outside_routers = _api_paths_of_the_resolver() - {k.split(" ", 1)[1] for k in operations}
    assert sorted(outside_routers - paths) == [], MISSING
    stale = [
        key
        for key in API
        if key not in operations and key.split(" ", 1)[1].rstrip("/") not in outside_routers
    ]
    assert stale == [], "a stale row"


def test_every_row_names_every_visitor():
    for route, expect in BACK_OFFICE.items():
        for row in expect.values() if isinstance(next(iter(expect.values())), dict) else [expect]:
            assert set(row) == set(PRINCIPALS), route
    for key, expect in API.items():
        assert set(expect) == set(PRINCIPALS), key


# --- Every visitor gets what the matrix says ---------------------------------------------------


def _back_office_rows():
    for route, expect in BACK_OFFICE.items():
        rows = expect if isinstance(next(iter(expect.values())), dict) else {"": expect}
        for label, row in rows.items():
            yield route, label, row


def _check(wrong: list[str], url: str, principal: str, response, expected: int) -> None:
    got = response.status_code
    if got != expected:
        wrong.append(f"{url} as {principal}: {got}, the matrix says {expected}")
    elif principal in (ANONYMOUS, CUSTOMER) and got == 302 and not url.startswith(SIGN_IN):
        location = response["Location"]
        # The index, in turn, sends outsiders to sign-in (its own row says so).
        if not location.startswith(SIGN_IN) and location != INDEX:
            wrong.append(f"{url} as {principal}: sent to {location}, not to sign-in")


def test_the_back_office_answers_each_visitor_as_the_matrix_says(world):
    status_before = world.order.status
    wrong: list[str] = []
    for route, label, row in _back_office_rows():
        url = world.back_office_urls(route)[label]
        for principal in PRINCIPALS:
            response = world.browsers[principal].get(url, REMOTE_ADDR=next(_addresses))
            _check(wrong, url, principal, response, row[principal])
    for route, (data, row) in BACK_OFFICE_POSTS.items():
        url = world.back_office_urls(route)[""].split("?")[0]
        for principal in PRINCIPALS:
            response = world.browsers[principal].post(url, data, REMOTE_ADDR=next(_addresses))
            _check(wrong, f"POST {url}", principal, response, row[principal])

    assert wrong == [], "\n".join(wrong)
    # Forged and incomplete requests changed nothing and showed nothing in clear; the only
    # values seen are the delivery details Fulfilment sees on an order to pack, recorded.
    world.order.refresh_from_db()
    assert world.order.status == status_before
    reveals = AuditEntry.objects.filter(action=AuditAction.REVEAL)
    assert {(e.actor_id, e.reason_category) for e in reveals} <= {
        (world.staff["fulfilment"].pk, RevealReason.DELIVERY)
    }


def test_the_reveal_rows_are_the_roles_the_rules_name():
    """Derived from the access model, and checked against the rules written out here: fulfilment
    sees addresses on the page of its work only, and never reveals one."""
    assert CUSTOMER_REVEALERS == (Role.OWNER, Role.CUSTOMER_SERVICE, Role.COMPLIANCE_OFFICER)
    assert ORDER_REVEALERS == (Role.OWNER, Role.CUSTOMER_SERVICE)
    assert IDENTITY_SEARCHERS == (Role.OWNER, Role.COMPLIANCE_OFFICER)


def test_every_post_row_is_a_route_of_the_matrix():
    assert [route for route in BACK_OFFICE_POSTS if route not in BACK_OFFICE] == []
    assert [route for route in QUERIES if route not in BACK_OFFICE] == []


def test_the_api_answers_each_visitor_as_the_matrix_says(world):
    wrong = []
    for key, row in API.items():
        for principal in PRINCIPALS:
            got = world.api_request(key, principal).status_code
            if got != row[principal]:
                wrong.append(f"{key} as {principal}: {got}, the matrix says {row[principal]}")

    assert wrong == [], "\n".join(wrong)
