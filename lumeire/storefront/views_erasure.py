"""Delete my account: the password, the emailed link, then the grace period.

The pages parse and render only; ``lumeire.privacy.erasure`` owns every rule. The hash of the
secret in the emailed link moves into the session at once, and a button (not the mere opening of
the link, which mail scanners do) confirms.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from lumeire.core.errors import ApplicationError
from lumeire.privacy.erasure import (
    erasure_confirm,
    erasure_request,
    grace_period,
    open_erasure_of,
)
from lumeire.storefront.account_access import link_into_session
from lumeire.storefront.account_forms import AccountForm
from lumeire.storefront.views_account import account_page

ERASURE_SESSION_KEY = "lumeire_erasure_link"


class ErasureRequestForm(AccountForm):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "required": True}),
    )


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
@account_page
def erasure_request_page(request: HttpRequest) -> HttpResponse:
    """Ask for the password; a confirmation link then goes to the account's address."""
    form = ErasureRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            erasure_request(
                actor=request.user, password=form.cleaned_data["password"], request=request
            )
        except ApplicationError as error:
            form.apply(error)
        else:
            return render(request, "storefront/account/delete_requested.html")
    context = {
        "form": form,
        "grace_days": grace_period().days,
        "pending": open_erasure_of(request.user),
    }
    return render(
        request, "storefront/account/delete.html", context, status=400 if form.errors else 200
    )


erasure_confirmation_link = link_into_session(ERASURE_SESSION_KEY, "storefront:erasure_confirm")


@never_cache
@require_http_methods(["GET", "POST"])
def erasure_confirm_page(request: HttpRequest) -> HttpResponse:
    """Confirm with a button; the account is then signed out here and deleted after the grace
    period, unless the customer signs in again before it ends."""
    token_ref = request.session.get(ERASURE_SESSION_KEY)
    if not token_ref:
        return _refused(request, _("This link to delete your account is not valid any more."))
    if request.method == "GET":
        return render(
            request, "storefront/account/delete_confirm.html", {"grace_days": grace_period().days}
        )
    request.session.pop(ERASURE_SESSION_KEY, None)
    try:
        erasure = erasure_confirm(token_ref=token_ref)
    except ApplicationError as error:
        return _refused(request, error.message, status=error.status_code)
    if request.user.is_authenticated:
        logout(request)  # staying signed in here would look like keeping the account
    return render(request, "storefront/account/delete_scheduled.html", {"erasure": erasure})


def _refused(request: HttpRequest, message: object, *, status: int = 404) -> HttpResponse:
    context = {"message": message, "kind": "email", "secret_in_address": False}
    return render(request, "storefront/account/link_invalid.html", context, status=status)
