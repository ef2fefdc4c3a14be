"""Back office sign-in: password, then the one-time code; a first sign-in enrols a device.

Nothing of the back office opens before both factors. A staff member without a device gets,
after the right password, only the enrolment pages below (a QR code and the secret, a first
code, then ten recovery codes shown once); the session holds just a ten-minute "pending"
marker until then, and is signed in only when the first code is confirmed. The secret and the
recovery codes appear in the response that makes them and nowhere else.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_POST

from lumeire.accounts.errors import AccountError, AccountErrorCode
from lumeire.backoffice.sites import backoffice_site
from lumeire.backoffice.two_factor_forms import StaffCodeForm, StaffSignInForm
from lumeire.core.client import request_is_secure
from lumeire.core.qr import qr_code_svg
from lumeire.staff.services import staff_enrolment_begin, staff_enrolment_confirm, staff_sign_in
from lumeire.staff.sessions import (
    staff_pending_next,
    staff_pending_start,
    staff_pending_user,
    staff_session_start,
)

SIGN_IN_TEMPLATE = "backoffice/sign_in/sign_in.html"
TWO_FACTOR_TEMPLATE = "backoffice/sign_in/two_factor.html"
_CODE_STEP = {AccountErrorCode.TWO_FACTOR_REQUIRED, AccountErrorCode.TWO_FACTOR_INVALID}


def _index() -> str:
    return reverse("backoffice:index")


def safe_next(request: HttpRequest, candidate: str) -> str:
    """Only a back office path of this host; anything else goes to the index."""
    index = _index()
    if (
        candidate
        and candidate.startswith(index)
        and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request_is_secure(request)
        )
    ):
        return candidate
    return index


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _render(request: HttpRequest, template: str, context: dict, status: int = 200):
    page = {**backoffice_site.each_context(request), **context}
    return TemplateResponse(request, template, page, status=status)


@sensitive_post_parameters()
@never_cache
def sign_in(request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
    """The back office door: staff accounts only, and never without the second factor.

    Like the storefront, the code step re-sends what the browser typed, so the session keeps
    nothing between the two steps. Every refusal but a lockout reads the same, so the page
    never tells whether a customer account exists.
    """
    if request.method not in ("GET", "POST"):
        return HttpResponse(status=405, headers={"Allow": "GET, POST"})
    if request.method == "GET" and backoffice_site.has_permission(request):
        return redirect(_index())
    form = StaffSignInForm(request.POST or None, initial={"next": request.GET.get("next", "")})
    code_step = False
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            outcome = staff_sign_in(
                request=request,
                login=data["login"],
                password=data["password"],
                code=data["code"] or None,
            )
        except AccountError as error:
            code_step = error.code in _CODE_STEP
            if error.code == AccountErrorCode.TWO_FACTOR_REQUIRED:
                status = 200
            elif error.code == AccountErrorCode.TWO_FACTOR_INVALID:
                form.add_error("code", error.message)
                status = 400
            elif error.code == AccountErrorCode.LOCKED_OUT:
                form.add_error(None, error.message)
                status = error.status_code
            else:
                form.add_error(
                    None,
                    _(
                        "Enter the right username or email and password of a staff account. "
                        "Customer accounts cannot sign in here."
                    ),
                )
                status = 400
        else:
            if outcome.needs_enrolment:
                staff_pending_start(request, outcome.user, data["next"])
                return redirect("backoffice:two_factor")
            staff_session_start(request, outcome.user)
            return redirect(safe_next(request, data["next"]))
    elif form.errors:
        status = 400
    context = {
        "title": _("Log in"),
        "form": form,
        "code_step": code_step,
        "username": request.user.get_username() if request.user.is_authenticated else "",
        **(extra_context or {}),
    }
    return _render(request, SIGN_IN_TEMPLATE, context, status=status)


def _pending_or_sign_in(request: HttpRequest):
    user = staff_pending_user(request)
    if user is None:
        return None, redirect(f"{reverse('backoffice:login')}?next={_index()}")
    return user, None


@never_cache
@require_GET
def two_factor(request: HttpRequest) -> HttpResponse:
    """After the right password, a staff member without a device starts here."""
    _user, away = _pending_or_sign_in(request)
    if away:
        return away
    context = {"title": _("Two-factor sign-in"), "step": "start"}
    return _render(request, TWO_FACTOR_TEMPLATE, context)


@never_cache
@require_POST
def two_factor_enrol(request: HttpRequest) -> HttpResponse:
    """A fresh secret, shown once as a QR code and as text."""
    user, away = _pending_or_sign_in(request)
    if away:
        return away
    try:
        enrolment = staff_enrolment_begin(user=user)
    except AccountError:
        # A device was confirmed meanwhile (another tab): sign in with a code instead.
        return redirect("backoffice:login")
    context = {
        "title": _("Two-factor sign-in"),
        "step": "enrol",
        "qr_code": qr_code_svg(enrolment.provisioning_uri, css_class="qr-code"),
        "secret": _grouped(enrolment.secret),
        "form": StaffCodeForm(),
    }
    return _render(request, TWO_FACTOR_TEMPLATE, context)


@sensitive_post_parameters()
@never_cache
@require_POST
def two_factor_confirm(request: HttpRequest) -> HttpResponse:
    """The first code turns two-factor on, signs in, and shows the recovery codes this once."""
    user, away = _pending_or_sign_in(request)
    if away:
        return away
    form = StaffCodeForm(request.POST)
    if form.is_valid():
        try:
            codes = staff_enrolment_confirm(
                request=request, user=user, code=form.cleaned_data["code"]
            )
        except AccountError as error:
            for message in error.field_errors.get("code", []) or [error.message]:
                form.add_error("code", message)
        else:
            next_url = safe_next(request, staff_pending_next(request))
            staff_session_start(request, user)
            context = {
                "title": _("Two-factor sign-in"),
                "step": "codes",
                "codes": codes,
                "next_url": next_url,
            }
            return _render(request, TWO_FACTOR_TEMPLATE, context)
    context = {"title": _("Two-factor sign-in"), "step": "retry", "form": form}
    return _render(request, TWO_FACTOR_TEMPLATE, context, status=400)
