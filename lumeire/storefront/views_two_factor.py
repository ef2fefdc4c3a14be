"""Optional two-factor sign-in: enrol with a QR code, confirm a first code, keep the recovery codes.

The secret and the recovery codes are shown in the response that creates them and nowhere
else: nothing of them goes to the session, a URL or a cache (signed-in pages are no-store).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_POST

from lumeire.accounts.errors import AccountError
from lumeire.accounts.services.two_factor import (
    two_factor_begin,
    two_factor_confirm,
    two_factor_disable,
)
from lumeire.core.qr import qr_code_svg
from lumeire.storefront.account_forms import TwoFactorCodeForm, TwoFactorDisableForm
from lumeire.storefront.views_account import account_page, two_factor_is_on

TEMPLATE = "storefront/account/two_factor.html"


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@require_GET
@account_page
def two_factor(request: HttpRequest) -> HttpResponse:
    """Whether two-factor is on, with the way to turn it on or off."""
    context = {
        "step": "status",
        "two_factor_on": two_factor_is_on(request),
        "disable_form": TwoFactorDisableForm(),
    }
    return render(request, TEMPLATE, context)


@require_POST
@account_page
def two_factor_enrol(request: HttpRequest) -> HttpResponse:
    """Create a fresh secret and show it once, as a QR code and as text."""
    try:
        enrolment = two_factor_begin(actor=request.user)
    except AccountError as error:
        messages.error(request, error.message)
        return redirect("storefront:two_factor")
    context = {
        "step": "enrol",
        "qr_code": qr_code_svg(enrolment.provisioning_uri, sized_by_stylesheet=True),
        "secret": _grouped(enrolment.secret),
        "form": TwoFactorCodeForm(),
    }
    return render(request, TEMPLATE, context)


@sensitive_post_parameters()
@require_POST
@account_page
def two_factor_confirm_page(request: HttpRequest) -> HttpResponse:
    """Turn two-factor on with a first code; show the recovery codes this one time."""
    form = TwoFactorCodeForm(request.POST)
    if form.is_valid():
        try:
            codes = two_factor_confirm(actor=request.user, code=form.cleaned_data["code"])
        except AccountError as error:
            form.apply(error)
        else:
            return render(request, TEMPLATE, {"step": "codes", "codes": codes})
    return render(request, TEMPLATE, {"step": "retry", "form": form}, status=400)


@sensitive_post_parameters()
@require_POST
@account_page
def two_factor_disable_page(request: HttpRequest) -> HttpResponse:
    """Turn two-factor off (current password needed)."""
    form = TwoFactorDisableForm(request.POST)
    if form.is_valid():
        try:
            two_factor_disable(
                actor=request.user, password=form.cleaned_data["password"], request=request
            )
        except AccountError as error:
            form.apply(error)
        else:
            messages.success(request, _("Two-factor sign-in is off."))
            return redirect("storefront:account")
    context = {"step": "status", "two_factor_on": True, "disable_form": form}
    return render(request, TEMPLATE, context, status=400)
