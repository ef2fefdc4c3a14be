"""The access model as Django's permission source: ``user.has_perm`` asks the staff roles.

Listed in ``AUTHENTICATION_BACKENDS`` before the sign-in backend. It authenticates no one; it
answers every permission question from ``lumeire.staff.access`` and refuses (PermissionDenied,
which stops Django asking the other backends) whatever the roles do not grant, so a permission
attached to a group or an account by hand opens nothing.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from lumeire.staff.access import model_permissions


class StaffRoleBackend:
    """Permissions come from the staff member's roles and from nowhere else.

    It has no ``get_user``: sessions name the sign-in backend, and Django's ``force_login`` and
    ``login`` pick the first backend that can load a user, which must not be this one."""

    def authenticate(self, request, **credentials):
        return None

    def get_user_permissions(self, user_obj, obj=None) -> set[str]:
        return set()

    def get_group_permissions(self, user_obj, obj=None) -> set[str]:
        return set(model_permissions(user_obj)) if obj is None else set()

    def get_all_permissions(self, user_obj, obj=None) -> set[str]:
        return self.get_group_permissions(user_obj, obj)

    def has_perm(self, user_obj, perm: str, obj=None) -> bool:
        if obj is None and perm in model_permissions(user_obj):
            return True
        raise PermissionDenied

    def has_module_perms(self, user_obj, app_label: str) -> bool:
        if any(perm.split(".", 1)[0] == app_label for perm in model_permissions(user_obj)):
            return True
        raise PermissionDenied
