"""Order exports: a list of orders as CSV, masked unless the role may export values in clear.

The caller gives the orders (the back office's filtered list) and the personal columns (how each
is read and masked). In clear, a column goes out only when the access model lets the staff
member's roles export it (``Way.EXPORT``), and only for the orders they may see it in: for
fulfilment, the orders waiting to be packed or shipped; a shipped or cancelled order is left out
of a clear export. Every export is one audit entry (the columns sent in clear, never values),
and each customer whose values went out in clear gets a row that lists the export on their
"who looked at my data"; both are written in the transaction that reads the rows.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from lumeire.core.errors import ApplicationError
from lumeire.orders.models import Order, OrderStatus, PaymentMethod, PaymentStatus
from lumeire.staff.access import ANY_STATE, Permission, Way, clear_states, require
from lumeire.staff.reveal import Revealable, field_names, reason_checked, refused
from lumeire.staff.services import export_record

MAX_EXPORT_ROWS = 10_000
TARGET_TYPE = "order"
# A spreadsheet runs a cell that starts with one of these as a formula: quote it.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ExportPlan:
    """What an export will hold: the orders, the columns the role may send in clear, and the
    orders a clear export keeps (those the role may see those columns in)."""

    orders: int
    clear_columns: tuple[Revealable, ...]
    clear_orders: int


@dataclass(frozen=True)
class OrdersExport:
    content: str
    rows: int
    clear_fields: tuple[str, ...]


def _clear_columns(actor, columns: Sequence[Revealable]) -> list[Revealable]:
    """The columns the role may export in clear in some order status."""
    return [
        column
        for column in columns
        if all(
            clear_states(actor, column.model, name, Way.EXPORT) != frozenset()
            for name in column.model_fields
        )
    ]


def _clear_scope(actor, columns: Iterable[Revealable], orders: QuerySet[Order]) -> QuerySet[Order]:
    """The orders in which every clear column may go out: each column's states, intersected."""
    for column in columns:
        for name in column.model_fields:
            states = clear_states(actor, column.model, name, Way.EXPORT)
            if states is not ANY_STATE:
                orders = orders.filter(status__in=sorted(states))
    return orders


def orders_export_plan(
    *, actor, orders: QuerySet[Order], columns: Sequence[Revealable]
) -> ExportPlan:
    """What ``orders_export`` would send, for the page that asks for it (records nothing)."""
    require(actor, Permission.ORDERS_EXPORT)
    clear = _clear_columns(actor, columns)
    return ExportPlan(
        orders=orders.count(),
        clear_columns=tuple(clear),
        clear_orders=_clear_scope(actor, clear, orders).count() if clear else 0,
    )


def safe_cell(value: object) -> str:
    """A CSV cell that a spreadsheet shows as text, never runs as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_START) else text


def _label(choices, value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


@dataclass
class _Written:
    content: str = ""
    rows: int = 0
    subjects: set = field(default_factory=set)


def orders_csv(
    orders: Iterable[Order], *, actor, columns: Sequence[Revealable], clear: Sequence[Revealable]
) -> _Written:
    """The CSV text: order facts, then each personal column masked or, if allowed, in clear;
    with the count of rows and the customers whose values went out in clear."""
    clear_names = {column.name for column in clear}
    written = _Written()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            _("Order number"),
            _("Placed at"),
            _("Status"),
            _("Payment"),
            _("Payment status"),
            _("Total"),
            _("Currency"),
            _("Delivery"),
            _("Tracking number"),
            *(str(column.label) for column in columns),
        ]
    )
    language = translation.get_language() or "en"
    for order in orders:
        cells = [
            order.number,
            timezone.localtime(order.placed_at).isoformat(timespec="minutes"),
            _label(OrderStatus, order.status),
            _label(PaymentMethod, order.payment_method),
            _label(PaymentStatus, order.payment_status),
            f"{order.total:.2f}",
            order.currency,
            order.shipping_method_name(language),
            order.tracking_number,
        ]
        for column in columns:
            if not column.applies(order):
                cells.append("")
            elif column.name in clear_names and column.allowed_for(actor, order, way=Way.EXPORT):
                # Checked again per order: the status may have changed since the rows were chosen.
                cells.append(column.read(order))
                # A guest's order is the subject of its own key, and of the export record.
                written.subjects.add(order.customer_id or order.pk)
            else:
                cells.append(column.mask(order))
        writer.writerow([safe_cell(cell) for cell in cells])
        written.rows += 1
    written.content = buffer.getvalue()
    return written


def orders_export(
    *,
    actor,
    orders: QuerySet[Order],
    columns: Sequence[Revealable],
    clear: bool,
    reason_category: str = "",
    reason: str = "",
    client: str,
) -> OrdersExport:
    """The orders as CSV, recorded; ``clear`` asks for the columns the role may export in clear.

    Refused (403, recorded) when the role may export nothing in clear and ``clear`` is asked;
    a clear export needs a reason (400 otherwise) and holds only the orders the role may see
    those columns in. More than ``MAX_EXPORT_ROWS`` orders is a 400. A refusal by input
    records nothing.
    """
    require(actor, Permission.ORDERS_EXPORT)
    clear_columns = _clear_columns(actor, columns) if clear else []
    if clear and not clear_columns:
        raise refused(
            actor=actor,
            target_type=TARGET_TYPE,
            target_id="",
            subject_id=None,
            names=field_names(columns),
            client=client,
        )
    if clear:
        reason_category, reason = reason_checked(reason_category, reason)
        orders = _clear_scope(actor, clear_columns, orders)
    else:
        reason_category, reason = "", ""
    rows = orders.select_related(None).prefetch_related(None).order_by("-placed_at", "-id")
    if rows.count() > MAX_EXPORT_ROWS:
        raise ApplicationError(
            "export_too_large",
            _("At most %(limit)s orders can be exported at once. Narrow the filters.")
            % {"limit": f"{MAX_EXPORT_ROWS:,}"},
        )
    with transaction.atomic():
        written = orders_csv(
            rows.iterator(chunk_size=500), actor=actor, columns=columns, clear=clear_columns
        )
        export_record(
            actor=actor,
            target_type=TARGET_TYPE,
            fields=field_names(clear_columns),
            reason_category=reason_category,
            reason=reason,
            client=client,
            subjects=written.subjects,
        )
    return OrdersExport(
        content=written.content, rows=written.rows, clear_fields=tuple(field_names(clear_columns))
    )
