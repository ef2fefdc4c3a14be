"""Emailed links that open an account or confirm a new identity number.

The same token-to-session swap as recovery (see ``views_recovery``): the link's address keeps
its secret for one redirect only, the session keeps the token's hash, and the change happens
on a button press, so a mail scanner that opens links changes nothing.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from lumeire.accounts.errors import AccountError, AccountErrorCode
from lumeire.accounts.services.identity_number import identity_number_change_confirm
from lumeire.accounts.services.signup_link import sign_up_complete, sign_up_link_open
from lumeire.core.client import client_address
from lumeire.core.tokens import secret_hash
from lumeire.storefront.account_access import link_into_session, no_referrer
from lumeire.storefront.account_forms import SignUpOpenForm
from lumeire.storefront.views_recovery import link_refused

SIGN_UP_SESSION_KEY = "lumeire_sign_up_link"
IDENTITY_SESSION_KEY = "lumeire_identity_number_link"


@never_cache
@no_referrer
@require_GET
def sign_up_link(request: HttpRequest, token: str) -> HttpResponse:
    """Check the emailed sign-up link, keep its hash in the session, and leave this address."""
    token_ref = secret_hash(token)
    try:
        sign_up_link_open(token_ref=token_ref)
    except AccountError as error:
        return link_refused(
            request, error.message, status=error.status_code, kind="sign_up", secret_in_address=True
        )
    request.session[SIGN_UP_SESSION_KEY] = token_ref
    return redirect("storefront:sign_up_open")


@never_cache
@require_http_methods(["GET", "POST"])
def sign_up_open(request: HttpRequest) -> HttpResponse:
    """Open the account with a button; a taken username can be replaced here."""
    token_ref = request.session.get(SIGN_UP_SESSION_KEY, "")
    try:
        pending = sign_up_link_open(token_ref=token_ref)
    except AccountError as error:
        request.session.pop(SIGN_UP_SESSION_KEY, None)
        return link_refused(request, error.message, status=error.status_code, kind="sign_up")
    form = SignUpOpenForm(request.POST or None, initial={"username": pending.username})
    if request.method == "POST" and form.is_valid():
        try:
            sign_up_complete(
                token_ref=token_ref,
                username=form.cleaned_data["username"] or None,
                client_address=client_address(request),
            )
        except AccountError as error:
            if error.code in (AccountErrorCode.LINK_INVALID, AccountErrorCode.DETAILS_TAKEN):
                request.session.pop(SIGN_UP_SESSION_KEY, None)
                context = {"message": error.message}
                return render(
                    request,
                    "storefront/account/sign_up_refused.html",
                    context,
                    status=error.status_code,
                )
            form.apply(error)
        else:
            request.session.pop(SIGN_UP_SESSION_KEY, None)
            return render(request, "storefront/account/sign_up_opened.html")
    status = 400 if form.errors else 200
    return render(request, "storefront/account/sign_up_open.html", {"form": form}, status=status)


identity_number_link = link_into_session(IDENTITY_SESSION_KEY, "storefront:identity_number_confirm")


@never_cache
@require_http_methods(["GET", "POST"])
def identity_number_confirm(request: HttpRequest) -> HttpResponse:
    """Confirm the new identity number with a button."""
    token_ref = request.session.get(IDENTITY_SESSION_KEY)
    if not token_ref:
        message = _("This confirmation link is not valid any more.")
        return link_refused(request, message, kind="identity_number")
    if request.method == "GET":
        return render(request, "storefront/account/identity_number_confirm.html")
    request.session.pop(IDENTITY_SESSION_KEY, None)
    try:
        identity_number_change_confirm(token_ref=token_ref, request=request)
    except AccountError as error:
        return link_refused(
            request, error.message, status=error.status_code, kind="identity_number"
        )
    return render(request, "storefront/account/identity_number_confirmed.html")
