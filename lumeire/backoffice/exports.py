"""Back office exports: the filtered list of orders as CSV, masked unless a reason is given.

The export takes exactly the orders the list shows with its current filters and search. Personal
columns are masked; a staff member whose role may reveal some of them can ask for those in clear
by giving a reason, as for a reveal. Every export is recorded in the audit log (the names of the
columns exported in clear, never values) in the same transaction that reads them.
"""

from __future__ import annotations

import csv
import io

from django import forms
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lumeire.backoffice.reveal import NO_STORE, ReasonForm, RevealTarget, request_client_ref
from lumeire.orders.models import Order, OrderStatus, PaymentMethod, PaymentStatus
from lumeire.staff.access import Permission, has_permission
from lumeire.staff.services import export_record

MAX_EXPORT_ROWS = 10_000
# A spreadsheet runs a cell that starts with one of these as a formula: quote it.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class ExportForm(ReasonForm):
    """Masked by default; ``clear`` asks for the columns the role may reveal, with a reason."""

    clear = forms.BooleanField(
        label=gettext_lazy("Include in clear the values my role may reveal"),
        required=False,
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason_category"].required = False
        self.fields["reason"].required = False

    def clean_reason_category(self) -> str:
        if not self.cleaned_data.get("reason_category"):
            return ""
        return super().clean_reason_category()

    def clean(self) -> dict[str, object]:
        cleaned = super().clean()
        if cleaned.get("clear"):
            if not cleaned.get("reason_category") and "reason_category" not in self.errors:
                self.add_error("reason_category", _("Choose a reason."))
            if not cleaned.get("reason") and "reason" not in self.errors:
                self.add_error("reason", _("Explain why you need this value."))
        return cleaned


def safe_cell(value: object) -> str:
    """A CSV cell that a spreadsheet shows as text, never runs as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_START) else text


def _label(choices, value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


def orders_csv(orders, *, target: RevealTarget, clear_names: set[str]) -> str:
    """The CSV text: order facts, then each personal column masked or, if allowed, in clear."""
    personal = list(target.fields)
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
            *(str(field.label) for field in personal),
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
        for field in personal:
            if not field.applies(order):
                cells.append("")
            elif field.name in clear_names:
                cells.append(field.read(order))
            else:
                cells.append(field.mask(order))
        writer.writerow([safe_cell(cell) for cell in cells])
    return buffer.getvalue()


def orders_export_view(request: HttpRequest, *, model_admin, target: RevealTarget) -> HttpResponse:
    """GET: what the export will hold and the choice of clear values. POST: the CSV, recorded."""
    user = request.user
    if not has_permission(user, Permission.ORDERS_EXPORT):
        raise PermissionDenied
    if request.method not in ("GET", "POST"):
        return HttpResponse(status=405, headers={"Allow": "GET, POST"})
    try:
        changelist = model_admin.get_changelist_instance(request)
    except IncorrectLookupParameters:
        return _page(request, model_admin, form=ExportForm(), count=0, allowed=[], status=400)
    orders = changelist.get_queryset(request)
    count = orders.count()
    allowed = [field for field in target.fields if field.allowed_for(user)]
    if request.method == "GET":
        return _page(request, model_admin, form=ExportForm(), count=count, allowed=allowed)
    form = ExportForm(request.POST)
    if count > MAX_EXPORT_ROWS:
        form.add_error(
            None,
            _("At most %(limit)s orders can be exported at once. Narrow the filters.")
            % {"limit": f"{MAX_EXPORT_ROWS:,}"},
        )
    if not form.is_valid():
        return _page(request, model_admin, form=form, count=count, allowed=allowed, status=400)
    clear = bool(form.cleaned_data["clear"]) and bool(allowed)
    clear_names = {field.name for field in allowed} if clear else set()
    recorded = [n for field in allowed if field.name in clear_names for n in field.model_fields]
    with transaction.atomic():
        export_record(
            actor=user,
            target_type="order",
            fields=recorded,
            reason_category=form.cleaned_data["reason_category"] if clear else "",
            reason=form.cleaned_data["reason"] if clear else "",
            client=request_client_ref(request),
        )
        rows = orders.select_related(None).prefetch_related(None).order_by("-placed_at", "-id")
        content = orders_csv(rows.iterator(chunk_size=500), target=target, clear_names=clear_names)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="orders-{stamp}.csv"'
    response["Cache-Control"] = NO_STORE
    return response


def _page(
    request: HttpRequest,
    model_admin,
    *,
    form: ExportForm,
    count: int,
    allowed: list,
    status: int = 200,
) -> HttpResponse:
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Order._meta,
        "title": _("Export orders as CSV"),
        "form": form,
        "count": count,
        "too_many": count > MAX_EXPORT_ROWS,
        "allowed_labels": [str(field.label) for field in allowed],
        "list_query": request.GET.urlencode(),
    }
    response = TemplateResponse(
        request, "backoffice/orders/order_export.html", context, status=status
    )
    response["Cache-Control"] = NO_STORE
    return response
