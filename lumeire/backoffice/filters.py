"""List pages take only the filters, search and sort columns they offer.

Django's admin applies any lookup on a model field given in the query string
(``?card_token__startswith=tok_``, ``?recovery_answer_hash__regex=^argon2``): a page that never
shows a column could still be asked, one guess at a time, what it holds. Every list page of the
back office therefore accepts exactly the parameters of its own filters (and date drill-down),
the page number, a search only when the page has one, and sorting only by the columns it lists
as sortable. Anything else is refused with a 400 that names the parameter, before a query runs.
"""

from __future__ import annotations

from django.contrib.admin import FieldListFilter
from django.contrib.admin.options import IS_FACETS_VAR, IS_POPUP_VAR, TO_FIELD_VAR
from django.contrib.admin.utils import get_fields_from_path
from django.contrib.admin.views.main import ALL_VAR, ERROR_FLAG, ORDER_VAR, PAGE_VAR, SEARCH_VAR
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

# Paging, the "show all" link (bounded by list_max_show_all), facet counts of the page's own
# filters, Django's error flag, and the popup markers Django checks itself.
ALWAYS_ALLOWED = frozenset(
    {PAGE_VAR, ALL_VAR, ERROR_FLAG, IS_FACETS_VAR, IS_POPUP_VAR, TO_FIELD_VAR}
)
MAX_NAMED = 5
MAX_NAME_LENGTH = 40
_CACHE_ATTRIBUTE = "_backoffice_filter_parameters"


def filter_parameters(model_admin, request: HttpRequest | None) -> frozenset[str]:
    """The query parameters the page's own list filters and date drill-down read."""
    cached = getattr(request, _CACHE_ATTRIBUTE, None) if request is not None else None
    if cached is not None and cached[0] is model_admin:
        return cached[1]
    model = model_admin.model
    names: set[str] = set()
    for item in model_admin.get_list_filter(request):
        if isinstance(item, (tuple, list)):
            field_path, filter_class = item
        elif isinstance(item, str):
            field_path, filter_class = item, FieldListFilter.create
        else:  # a SimpleListFilter subclass
            names |= set(item(request, {}, model, model_admin).expected_parameters())
            continue
        field = get_fields_from_path(model, field_path)[-1]
        spec = filter_class(field, request, {}, model, model_admin, field_path=field_path)
        names |= set(spec.expected_parameters())
    hierarchy = model_admin.date_hierarchy
    if hierarchy:
        names |= {f"{hierarchy}__{part}" for part in ("year", "month", "day")}
    found = frozenset(names)
    if request is not None:
        setattr(request, _CACHE_ATTRIBUTE, (model_admin, found))
    return found


def _sort_allowed(model_admin, request: HttpRequest, value: str) -> bool:
    """``?o=1.-2``: every part names a column the page lists as sortable."""
    columns = list(model_admin.get_list_display(request))
    sortable = set(model_admin.get_sortable_by(request))
    for part in value.split("."):
        index = part.removeprefix("-")
        if not index.isdigit() or int(index) >= len(columns) or columns[int(index)] not in sortable:
            return False
    return True


def unknown_list_parameters(model_admin, request: HttpRequest) -> list[str]:
    """The query parameters of this list request that the page does not offer."""
    allowed = ALWAYS_ALLOWED | filter_parameters(model_admin, request)
    unknown = []
    for name, values in request.GET.lists():
        if name == SEARCH_VAR:
            searchable = bool(model_admin.get_search_fields(request))
            if not searchable and any(value.strip() for value in values):
                unknown.append(name)
        elif name == ORDER_VAR:
            if not all(_sort_allowed(model_admin, request, value) for value in values):
                unknown.append(name)
        elif name not in allowed:
            unknown.append(name)
    return unknown


def refused_list_response(request: HttpRequest, model_admin, names: list[str]) -> HttpResponse:
    """400: the list cannot be filtered, searched or sorted that way; nothing was applied."""
    shown = [name[:MAX_NAME_LENGTH] for name in names[:MAX_NAMED]]
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": _("This list cannot be filtered that way"),
        "names": shown,
    }
    return TemplateResponse(request, "backoffice/list_refused.html", context, status=400)


class AllowlistedListMixin:
    """For a ModelAdmin: only the page's own filters, search and sort columns are taken."""

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest | None = None) -> bool:
        # Django's own check, consulted for every filter parameter: the allowlist, nothing else.
        return lookup in filter_parameters(self, request)

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):
        # Who may see the list is decided first (Django's 403), then what they asked of it.
        if self.has_view_or_change_permission(request):
            unknown = unknown_list_parameters(self, request)
            if unknown:
                return refused_list_response(request, self, unknown)
        return super().changelist_view(request, extra_context)
