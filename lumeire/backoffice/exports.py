"""The order export page: the filtered list of orders as CSV, masked unless a reason is given.

The export takes the orders the list shows with its current (allowlisted) filters and search,
and hands them to the order export service (``lumeire.orders.exports``), which decides which
columns and which orders may go out in clear for this staff member, records the export (and,
for each customer in a clear export, a line on their "who looked at my data") and writes the
CSV. This page only asks and renders.
"""

from __future__ import annotations

from django import forms
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lumeire.backoffice.filters import refused_list_response, unknown_list_parameters
from lumeire.backoffice.reveal import NO_STORE, ReasonForm, RevealTarget, request_client_ref
from lumeire.core.errors import ApplicationError
from lumeire.orders.exports import (
    MAX_EXPORT_ROWS,
    ExportPlan,
    orders_export,
    orders_export_plan,
    safe_cell,
)
from lumeire.orders.models import Order
from lumeire.staff.access import Permission, has_permission
from lumeire.staff.reveal import RevealRefused

__all__ = ["MAX_EXPORT_ROWS", "ExportForm", "orders_export_view", "safe_cell"]


class ExportForm(ReasonForm):
    """Masked by default; ``clear`` asks for the columns the role may export, with a reason."""

    clear = forms.BooleanField(
        label=gettext_lazy("Include in clear the values my role may export"),
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


def orders_export_view(request: HttpRequest, *, model_admin, target: RevealTarget) -> HttpResponse:
    """GET: what the export will hold and the choice of clear values. POST: the CSV."""
    user = request.user
    if not has_permission(user, Permission.ORDERS_EXPORT):
        raise PermissionDenied
    if request.method not in ("GET", "POST"):
        return HttpResponse(status=405, headers={"Allow": "GET, POST"})
    unknown = unknown_list_parameters(model_admin, request)
    if unknown:
        return refused_list_response(request, model_admin, unknown)
    empty = ExportPlan(orders=0, clear_columns=(), clear_orders=0)
    try:
        changelist = model_admin.get_changelist_instance(request)
    except IncorrectLookupParameters:
        return _page(request, model_admin, form=ExportForm(), plan=empty, status=400)
    orders = changelist.get_queryset(request)
    columns = target.fields
    plan = orders_export_plan(actor=user, orders=orders, columns=columns)
    if request.method == "GET":
        return _page(request, model_admin, form=ExportForm(), plan=plan)
    form = ExportForm(request.POST)
    if not form.is_valid():
        return _page(request, model_admin, form=form, plan=plan, status=400)
    try:
        export = orders_export(
            actor=user,
            orders=orders,
            columns=columns,
            clear=bool(form.cleaned_data["clear"]),
            reason_category=form.cleaned_data["reason_category"],
            reason=form.cleaned_data["reason"],
            client=request_client_ref(request),
        )
    except RevealRefused as refusal:
        form.add_error(None, refusal.message)
        return _page(request, model_admin, form=form, plan=plan, status=403)
    except ApplicationError as refusal:
        for field, messages in refusal.field_errors.items():
            for message in messages:
                form.add_error(field if field in form.fields else None, message)
        if not refusal.field_errors:
            form.add_error(None, refusal.message)
        return _page(request, model_admin, form=form, plan=plan, status=refusal.status_code)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(export.content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="orders-{stamp}.csv"'
    response["Cache-Control"] = NO_STORE
    return response


def _page(
    request: HttpRequest,
    model_admin,
    *,
    form: ExportForm,
    plan: ExportPlan,
    status: int = 200,
) -> HttpResponse:
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Order._meta,
        "title": _("Export orders as CSV"),
        "form": form,
        "count": plan.orders,
        "clear_count": plan.clear_orders,
        "too_many": plan.orders > MAX_EXPORT_ROWS,
        "allowed_labels": [str(column.label) for column in plan.clear_columns],
        "list_query": request.GET.urlencode(),
    }
    response = TemplateResponse(
        request, "backoffice/orders/order_export.html", context, status=status
    )
    response["Cache-Control"] = NO_STORE
    return response
