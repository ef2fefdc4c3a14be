"""/api/v1/orders: the signed-in customer's own orders, one order, and cancelling it.

An order is found only among the customer's own: another customer's number and a number that
was never given are the same 404, so a number reveals nothing. The rules (who may cancel, when,
and what that gives back) live in the orders domain.
"""

from __future__ import annotations

from typing import Annotated

from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from ninja import Path, Query, Router, Schema
from pydantic import Field

from lumeire.api.auth import customer_token
from lumeire.api.schemas import ErrorSchema
from lumeire.api.v1.order_schemas import OrderOut, OrderPageOut, OrderSummaryOut, response_language
from lumeire.catalog.selectors import parse_limit
from lumeire.core.errors import ApplicationError
from lumeire.orders.errors import OrderNotFound
from lumeire.orders.models import Order
from lumeire.orders.selectors import order_get_for_customer, order_timeline, orders_of_customer
from lumeire.orders.services import order_cancel_by_customer
from lumeire.orders.transitions import customer_may_cancel

router = Router(tags=["orders"])
# An order is one customer's; no shared cache may keep it.
router.add_decorator(never_cache, mode="view")

OrderNumber = Annotated[str, Path(description="The order's number, like LUM-7K3Q-9F2D.")]


class OrderListQuery(Schema):
    """Kept as text: the shared parsers give the refusals, keyed by the parameter."""

    limit: str | None = Field(None, description="Orders per page, 1 to 100; 24 by default.")
    cursor: str | None = Field(None, description="The next_cursor of the previous page.")


def order_out(order: Order, language: str) -> OrderOut:
    """The whole order as the customer sees it, with its timeline and whether it may be
    cancelled now (so an app shows the button only when the API would accept it)."""
    return OrderOut.of(
        order,
        timeline=order_timeline(order),
        cancellable=customer_may_cancel(order),
        language=language,
    )


def _cursor_order(customer, cursor: str | None) -> Order | None:
    """The order a page continues after: the number the previous page ended with."""
    if not cursor:
        return None
    try:
        return order_get_for_customer(customer=customer, number=cursor)
    except OrderNotFound:
        # The catalogue's sentence for a stale or altered page link, already in Arabic.
        message = _("This page link is not valid; start from the first page.")
        raise ApplicationError(
            "invalid_cursor", message, field_errors={"cursor": [message]}
        ) from None


def _page(customer, before: Order | None, limit: int) -> tuple[list[Order], bool]:
    """Up to ``limit`` orders after ``before``, newest first, and whether more follow.

    One order past the limit is read, so ``next_cursor`` is null exactly on the last page.
    """
    found = orders_of_customer(customer=customer, before=before, limit=limit + 1)
    return found[:limit], len(found) > limit


@router.get(
    "", auth=customer_token, response={200: OrderPageOut, 400: ErrorSchema, 401: ErrorSchema}
)
def order_list(request: HttpRequest, params: Query[OrderListQuery]):
    """The customer's orders, newest first; follow ``next_cursor`` until it is null."""
    limit = parse_limit(params.limit)
    orders, more = _page(request.auth, _cursor_order(request.auth, params.cursor), limit)
    return {
        "items": [OrderSummaryOut.of(order) for order in orders],
        "next_cursor": orders[-1].number if more else None,
    }


@router.get(
    "/{number}",
    auth=customer_token,
    response={200: OrderOut, 401: ErrorSchema, 404: ErrorSchema},
    url_name="order",
)
def order_detail(request: HttpRequest, number: OrderNumber):
    """One of the customer's orders with its lines, totals, payment and timeline."""
    order = order_get_for_customer(customer=request.auth, number=number)
    return order_out(order, response_language())


@router.post(
    "/{number}/cancel",
    auth=customer_token,
    response={200: OrderOut, 400: ErrorSchema, 401: ErrorSchema, 404: ErrorSchema},
)
def order_cancel(request: HttpRequest, number: OrderNumber):
    """Cancel the order while it is not yet packed: the stock goes back, and a card payment is
    refunded in full. Later, 400 with code ``transition_not_allowed`` and the order unchanged."""
    order = order_get_for_customer(customer=request.auth, number=number)
    cancelled = order_cancel_by_customer(customer=request.auth, order=order)
    return order_out(cancelled, response_language())
