"""The audit log in the back office: read-only, for the Owner and the Compliance officer.

Nothing here adds, changes or deletes an entry (the database would refuse anyway). Each view of
the list or of one entry is itself recorded (AUDIT_VIEWED), so who watched the watchers is kept.
Search is by an exact id only: the log holds no names or values to match.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.html import format_html

from lumeire.audit.audit_actions import AuditLogAction
from lumeire.audit.chain import HASHED_COLUMNS
from lumeire.audit.models import AuditEntry
from lumeire.audit.selectors import TERM_HELP, AuditFilters, audit_entries
from lumeire.audit.services import audit_record
from lumeire.backoffice.pages import StaffPageMixin
from lumeire.backoffice.reveal import request_client_ref
from lumeire.backoffice.sites import backoffice_site
from lumeire.staff.access import Permission, has_permission


def long_value(value: object) -> str:
    """An id or a hash cut with an ellipsis to fit its column; the whole value stays in the page
    (selectable and copied whole, and in the title shown on hover and read by screen readers)."""
    if value in (None, ""):
        return "—"
    text = str(value)
    return format_html('<span class="backoffice-long" title="{}" dir="ltr">{}</span>', text, text)


def _may_view(request: HttpRequest) -> bool:
    return has_permission(request.user, Permission.AUDIT_VIEW)


def _record_view(request: HttpRequest, target_id: str = "") -> None:
    audit_record(
        actor=request.user,
        action=AuditLogAction.AUDIT_VIEWED,
        target_type="audit.auditentry",
        target_id=target_id,
        client_ref=request_client_ref(request),
    )


@admin.register(AuditEntry, site=backoffice_site)
class AuditEntryAdmin(StaffPageMixin, admin.ModelAdmin):
    """Who did what to which record, when and why; filtered and searched by exact values."""

    list_display = (
        "id",
        "at",
        "actor_kind",
        "actor_shown",
        "actor_roles",
        "action",
        "target_type",
        "target_shown",
        "subject_shown",
        "fields_shown",
        "reason_category",
    )
    list_filter = (
        "actor_kind",
        "action",
        "target_type",
        ("at", admin.DateFieldListFilter),
    )
    search_fields = ("target_id",)  # the search itself is get_search_results': exact ids only
    search_help_text = TERM_HELP
    date_hierarchy = "at"
    ordering = ("-id",)
    actions = None
    list_per_page = 50
    show_full_result_count = False
    readonly_fields = (*HASHED_COLUMNS, "entry_hash")
    fields = readonly_fields

    @admin.display(description=AuditEntry._meta.get_field("fields").verbose_name)
    def fields_shown(self, entry: AuditEntry) -> str:
        return ", ".join(entry.fields or [])

    @admin.display(
        description=AuditEntry._meta.get_field("actor_id").verbose_name, ordering="actor_id"
    )
    def actor_shown(self, entry: AuditEntry) -> str:
        return long_value(entry.actor_id)

    @admin.display(
        description=AuditEntry._meta.get_field("target_id").verbose_name, ordering="target_id"
    )
    def target_shown(self, entry: AuditEntry) -> str:
        return long_value(entry.target_id)

    @admin.display(
        description=AuditEntry._meta.get_field("subject_id").verbose_name, ordering="subject_id"
    )
    def subject_shown(self, entry: AuditEntry) -> str:
        return long_value(entry.subject_id)

    def get_queryset(self, request: HttpRequest) -> QuerySet[AuditEntry]:
        return audit_entries(AuditFilters())

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, term: str):
        term = term.strip()
        if not term:
            return queryset, False
        return queryset & audit_entries(AuditFilters(term=term)), False

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _may_view(request)

    def has_view_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return _may_view(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # entries are written by the services, in the transaction they record

    def has_change_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False  # append-only

    def has_delete_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False  # purging will go through a checkpoint, never a delete

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):
        response = super().changelist_view(request, extra_context)
        if _may_view(request) and response.status_code == 200:
            _record_view(request)
        return response

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict | None = None,
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        if _may_view(request) and response.status_code == 200 and object_id.isdigit():
            _record_view(request, object_id)
        return response
