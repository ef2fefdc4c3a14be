"""The back office site: Django's admin, open to staff accounts only."""

from __future__ import annotations

import time

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from lumeire.accounts.models import AccountKind
from lumeire.accounts.sessions import AUTH_TIME_KEY, STARTED_KEY
from lumeire.backoffice.forms import BackOfficeAuthenticationForm

# Django's page writes the password directly; staff passwords will change through the accounts
# services with staff sign-in (a later issue), so the back office leaves these pages out.
LEFT_OUT_PAGES = frozenset({"password_change", "password_change_done"})


class BackOfficeSite(admin.AdminSite):
    """Staff manage the store here; what each sees follows their groups' model permissions."""

    site_header = _("Lumeire back office")
    site_title = _("Lumeire back office")
    index_title = _("Back office")
    login_form = BackOfficeAuthenticationForm

    def has_permission(self, request: HttpRequest) -> bool:
        """Active staff accounts only: a customer account never enters, whatever its flags."""
        user = request.user
        return bool(
            user.is_authenticated
            and user.is_active
            and getattr(user, "kind", None) == AccountKind.STAFF
        )

    def get_urls(self):
        return [
            url for url in super().get_urls() if getattr(url, "name", None) not in LEFT_OUT_PAGES
        ]

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        """Start the session's clocks as the storefront does, so its absolute limit applies."""
        response = super().login(request, extra_context)
        if (
            request.method == "POST"
            and response.status_code == 302
            and self.has_permission(request)
        ):
            now = int(time.time())
            request.session[STARTED_KEY] = now
            request.session[AUTH_TIME_KEY] = now
        return response


backoffice_site = BackOfficeSite(name="backoffice")
