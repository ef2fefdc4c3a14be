"""What every ModelAdmin of the back office shares: the access model opens its pages, and its
list takes only the filters, search and sort columns it offers (see ``filters``)."""

from __future__ import annotations

from django.http import HttpRequest

from lumeire.backoffice.filters import AllowlistedListMixin
from lumeire.staff.access import has_model_permission, model_permissions


class StaffPageMixin(AllowlistedListMixin):
    """Pages answer from the staff member's roles (``lumeire.staff.access.MODEL_PERMISSIONS``);
    a permission held by a group or an account by hand, or a superuser flag, opens nothing."""

    def _role_allows(self, request: HttpRequest, action: str) -> bool:
        opts = self.opts
        return has_model_permission(request.user, f"{opts.app_label}.{action}_{opts.model_name}")

    def has_module_permission(self, request: HttpRequest) -> bool:
        label = self.opts.app_label
        return any(perm.split(".", 1)[0] == label for perm in model_permissions(request.user))

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._role_allows(request, "view") or self._role_allows(request, "change")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._role_allows(request, "add")

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._role_allows(request, "change")

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._role_allows(request, "delete")
