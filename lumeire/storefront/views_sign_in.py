"""Opening an account, signing in and out, and typing the password again before a change."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import authenticate, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lumeire.accounts.errors import AccountError, AccountErrorCode
from lumeire.accounts.services import end_every_sign_in
from lumeire.accounts.services.signin import lockout_seconds, sign_in_check
from lumeire.accounts.services.signup import customer_sign_up
from lumeire.accounts.sessions import session_reauthenticated, session_start
from lumeire.core.client import client_address
from lumeire.privacy.selectors import current_policy_version
from lumeire.storefront.account_access import safe_next
from lumeire.storefront.account_forms import (
    ConfirmPasswordForm,
    SignInForm,
    SignUpForm,
    password_help_texts,
)
from lumeire.storefront.cart_access import guest_cart_id, guest_cart_merge

_TWO_FACTOR_STEP = {AccountErrorCode.TWO_FACTOR_REQUIRED, AccountErrorCode.TWO_FACTOR_INVALID}


def _client_address(request: HttpRequest) -> str | None:
    return client_address(request)


@sensitive_post_parameters()
@never_cache
@require_http_methods(["GET", "POST"])
def sign_up(request: HttpRequest) -> HttpResponse:
    """Ask for a customer account; every well-formed sign-up ends on the same page."""
    policy = current_policy_version()
    form = SignUpForm(
        request.POST or None, initial={"policy_version": policy.version if policy else None}
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            customer_sign_up(
                data=form.sign_up_data(language=translation.get_language() or "en"),
                client_address=_client_address(request),
            )
        except AccountError as error:
            form.apply(error)
            status = error.status_code if error.code == AccountErrorCode.RATE_LIMITED else 400
        else:
            # The same redirect whatever is taken: the outcome goes by email.
            return redirect("storefront:sign_up_done")
    elif form.errors:
        status = 400
    context = {"form": form, "policy": policy, "password_help": password_help_texts()}
    return render(request, "storefront/account/sign_up.html", context, status=status)


@require_GET
def sign_up_done(request: HttpRequest) -> HttpResponse:
    """Answer every accepted sign-up with "check your email", new account or not."""
    return render(request, "storefront/account/sign_up_done.html")


@sensitive_post_parameters()
@never_cache
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    """Sign in by username or email; a second step asks the code when two-factor is on.

    The password is never kept between the steps: the code step re-posts what the browser
    typed, so the session holds nothing until the customer is signed in. What a guest put in
    their cart joins the customer's cart.
    """
    form = SignInForm(request.POST or None, initial={"next": request.GET.get("next", "")})
    two_factor_step = False
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = sign_in_check(
                request=request,
                login=data["login"],
                password=data["password"],
                otp=data["code"] or None,
                channel="web",
            )
        except AccountError as error:
            two_factor_step = error.code in _TWO_FACTOR_STEP
            status = error.status_code if error.code == AccountErrorCode.LOCKED_OUT else 400
            if error.code == AccountErrorCode.TWO_FACTOR_REQUIRED:
                status = 200
            elif error.code == AccountErrorCode.TWO_FACTOR_INVALID:
                form.add_error("code", error.message)
            else:
                form.add_error(None, error.message)
        else:
            # Signing in gives the browser a new session: keep the guest's cart id across it.
            cart_id = guest_cart_id(request)
            session_start(request, user, remember_me=data["remember_me"])
            guest_cart_merge(request, cart_id)
            return redirect(safe_next(request, data["next"], reverse("storefront:account")))
    elif form.errors:
        status = 400
    context = {"form": form, "two_factor_step": two_factor_step}
    return render(request, "storefront/account/sign_in.html", context, status=status)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    """Sign out everywhere: every session of the account and every API token end, this one too.

    Signing out on one device is where a customer who fears a stolen session or token acts, so
    it ends them all; the account page says so beside its list of apps.
    """
    if request.user.is_authenticated:
        end_every_sign_in(request.user)
    logout(request)
    messages.info(request, _("You are signed out on every device and app."))
    return redirect("storefront:home")


@login_required
@sensitive_post_parameters()
@never_cache
@require_http_methods(["GET", "POST"])
def confirm_password(request: HttpRequest) -> HttpResponse:
    """Type the password again before seeing or changing account data.

    Goes through the same authentication backends as signing in, so wrong passwords count
    towards the lockout and a locked account cannot be confirmed either.
    """
    default = reverse("storefront:account")
    form = ConfirmPasswordForm(request.POST or None, initial={"next": request.GET.get("next")})
    status = 200
    if request.method == "POST" and form.is_valid():
        user = authenticate(
            request, login=request.user.get_username(), password=form.cleaned_data["password"]
        )
        if getattr(request, "axes_locked_out", False):
            minutes = max(1, lockout_seconds() // 60)
            form.add_error(
                None,
                ngettext(
                    "Too many wrong passwords. Try again in %(minutes)d minute.",
                    "Too many wrong passwords. Try again in %(minutes)d minutes.",
                    minutes,
                )
                % {"minutes": minutes},
            )
            status = 429
        elif user is None or user.pk != request.user.pk:
            form.add_error("password", _("That password is not right."))
            status = 400
        else:
            session_reauthenticated(request)
            return redirect(safe_next(request, form.cleaned_data["next"], default))
    elif form.errors:
        status = 400
    return render(
        request, "storefront/account/confirm_password.html", {"form": form}, status=status
    )
