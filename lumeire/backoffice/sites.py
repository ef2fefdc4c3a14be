"""The back office site: Django's admin, open to staff accounts that passed both factors."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from lumeire.accounts.models import AccountKind
from lumeire.staff.access import Permission, has_permission
from lumeire.staff.sessions import second_factor_passed

# Django's page writes the password directly; staff passwords will change through the accounts
# services, so the back office leaves these pages out.
LEFT_OUT_PAGES = frozenset({"password_change", "password_change_done"})


class BackOfficeSite(admin.AdminSite):
    """Staff manage the store here; what each sees follows their groups' model permissions."""

    site_header = _("Lumeire back office")
    site_title = _("Lumeire back office")
    index_title = _("Back office")
    index_template = "backoffice/index.html"

    def has_permission(self, request: HttpRequest) -> bool:
        """Active staff accounts whose session passed the second factor; never a customer."""
        user = request.user
        return bool(
            user.is_authenticated
            and user.is_active
            and getattr(user, "kind", None) == AccountKind.STAFF
            and second_factor_passed(request)
        )

    def get_urls(self):
        from lumeire.backoffice import views_sign_in

        own = [
            path("two-factor/", views_sign_in.two_factor, name="two_factor"),
            path("two-factor/enrol/", views_sign_in.two_factor_enrol, name="two_factor_enrol"),
            path(
                "two-factor/confirm/", views_sign_in.two_factor_confirm, name="two_factor_confirm"
            ),
        ]
        admin_urls = [
            url for url in super().get_urls() if getattr(url, "name", None) not in LEFT_OUT_PAGES
        ]
        return own + admin_urls

    def get_app_list(self, request: HttpRequest, app_label: str | None = None) -> list[dict]:
        """The apps of the menu and the index, and the cases for the roles that work them."""
        apps = super().get_app_list(request, app_label)
        if app_label is None and has_permission(request.user, Permission.CASES_VIEW):
            apps.append(_cases_menu())
        return apps

    def index(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        """The home page, with a notice of every periodic background task that is overdue."""
        from lumeire.core.periodic import overdue_periodic_tasks

        context = {"overdue_periodic_tasks": overdue_periodic_tasks(), **(extra_context or {})}
        return super().index(request, context)

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        """Password, then the one-time code (or a first enrolment): see views_sign_in."""
        from lumeire.backoffice.views_sign_in import sign_in

        return sign_in(request, extra_context)


def _cases_menu() -> dict:
    """The case pages are not a ModelAdmin (see lumeire.backoffice.cases): their menu entry is
    made here."""
    url = reverse("backoffice_cases")
    return {
        "name": _("Irregular activity"),
        "app_label": "compliance",
        "app_url": url,
        "has_module_perms": True,
        "models": [
            {
                "name": _("Cases"),
                "object_name": "Case",
                "admin_url": url,
                "add_url": None,
                "view_only": True,
                "perms": {"view": True},
            }
        ],
    }


backoffice_site = BackOfficeSite(name="backoffice")


def staff_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wrap a back office view outside the ModelAdmins: signed-in staff with both factors only."""
    return backoffice_site.admin_view(view)
