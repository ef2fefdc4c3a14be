"""Links that arrive by email: password recovery and address confirmation.

Both follow Django's token-to-session swap: the browser is redirected at once to an address
without the link's secret, so the secret never stays in the address bar, the history or a
Referer header. The session keeps only the token's hash (the form the store keeps too), never
the token, so the session table holds no usable link. The addresses that carry a secret answer with
``Referrer-Policy: no-referrer``. The pages they lead to keep the site's ``same-origin`` policy
on purpose: under ``no-referrer`` a browser sends ``Origin: null`` with a form's POST, which
Django's CSRF check refuses, and these addresses hold no secret to protect.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from lumeire.accounts.errors import AccountError, AccountErrorCode
from lumeire.accounts.services.profile import email_change_confirm
from lumeire.accounts.services.recovery import (
    password_recovery_complete,
    password_recovery_request,
    recovery_link_open,
)
from lumeire.core.client import client_address
from lumeire.core.tokens import secret_hash
from lumeire.storefront.account_access import link_into_session, no_referrer
from lumeire.storefront.account_forms import (
    ForgotPasswordForm,
    RecoveryForm,
    password_help_texts,
)

RECOVERY_SESSION_KEY = "lumeire_recovery_link"
EMAIL_CONFIRM_SESSION_KEY = "lumeire_email_confirmation_link"


def link_refused(
    request: HttpRequest,
    message: str,
    *,
    status: int = 404,
    kind: str = "recovery",
    secret_in_address: bool = False,
) -> HttpResponse:
    """The page of a link that does not work; ``kind`` picks what it offers instead."""
    context = {"message": message, "kind": kind, "secret_in_address": secret_in_address}
    return render(request, "storefront/account/link_invalid.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def forgot_password(request: HttpRequest) -> HttpResponse:
    """Ask for a recovery link; every request ends on the same page, account or not."""
    form = ForgotPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        password_recovery_request(
            login=form.cleaned_data["login"], client_address=client_address(request)
        )
        return redirect("storefront:forgot_password_sent")
    status = 400 if form.errors else 200
    return render(request, "storefront/account/forgot_password.html", {"form": form}, status=status)


@require_GET
def forgot_password_sent(request: HttpRequest) -> HttpResponse:
    """The one answer to a recovery request: if the account exists, a link is on its way."""
    return render(request, "storefront/account/forgot_password_sent.html")


@never_cache
@no_referrer
@require_GET
def recovery_link(request: HttpRequest, token: str) -> HttpResponse:
    """Check the emailed link, keep its secret in the session, and leave this address."""
    token_ref = secret_hash(token)
    try:
        recovery_link_open(token_ref=token_ref)
    except AccountError as error:
        return link_refused(
            request, error.message, status=error.status_code, secret_in_address=True
        )
    request.session[RECOVERY_SESSION_KEY] = token_ref
    return redirect("storefront:recover_set_password")


@sensitive_post_parameters()
@never_cache
@require_http_methods(["GET", "POST"])
def recover_set_password(request: HttpRequest) -> HttpResponse:
    """Ask the recovery question of a valid link, then set the new password.

    Signs nobody in: the customer signs in with the new password, two-factor included.
    """
    token_ref = request.session.get(RECOVERY_SESSION_KEY, "")
    try:
        token = recovery_link_open(token_ref=token_ref)
    except AccountError as error:
        request.session.pop(RECOVERY_SESSION_KEY, None)
        return link_refused(request, error.message, status=error.status_code)
    form = RecoveryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            password_recovery_complete(
                token_ref=token_ref,
                recovery_answer=form.cleaned_data["recovery_answer"],
                new_password=form.cleaned_data["new_password"],
                request=request,
            )
        except AccountError as error:
            if error.code == AccountErrorCode.RECOVERY_LINK_INVALID:
                request.session.pop(RECOVERY_SESSION_KEY, None)
                return link_refused(request, error.message, status=error.status_code)
            form.apply(error)
        else:
            request.session.pop(RECOVERY_SESSION_KEY, None)
            messages.success(
                request, _("Your password was changed. Sign in with your new password.")
            )
            return redirect("storefront:sign_in")
    context = {
        "form": form,
        "question": token.user.customer.recovery_question_text,
        "password_help": password_help_texts(),
    }
    status = 400 if form.errors else 200
    return render(request, "storefront/account/recover_set_password.html", context, status=status)


email_confirmation_link = link_into_session(EMAIL_CONFIRM_SESSION_KEY, "storefront:email_confirm")


@never_cache
@require_http_methods(["GET", "POST"])
def email_confirm(request: HttpRequest) -> HttpResponse:
    """Confirm an address with a button, so a mail scanner opening the link changes nothing."""
    token_ref = request.session.get(EMAIL_CONFIRM_SESSION_KEY)
    if not token_ref:
        message = _("This confirmation link is not valid any more.")
        return link_refused(request, message, kind="email")
    if request.method == "GET":
        return render(request, "storefront/account/email_confirm.html")
    request.session.pop(EMAIL_CONFIRM_SESSION_KEY, None)
    try:
        email_change_confirm(token_ref=token_ref)
    except AccountError as error:
        return link_refused(request, error.message, status=error.status_code, kind="email")
    return render(request, "storefront/account/email_confirmed.html")
