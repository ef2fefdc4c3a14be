"""My account: what the store keeps about the customer, and each change they can make.

Every page here needs a signed-in customer who typed their password within the re-check window
(``recent_password_required``); every change needs the current password once more, checked by
the service, which also sends the notice email.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from lumeire.accounts.errors import AccountError
from lumeire.accounts.models import TwoFactorDevice
from lumeire.accounts.selectors import api_tokens_of
from lumeire.accounts.services.identity_number import identity_number_change
from lumeire.accounts.services.profile import (
    account_language_change,
    customer_profile_update,
    email_change_request,
    password_change,
    recovery_question_change,
    username_change,
)
from lumeire.accounts.services.signin import api_token_revoke
from lumeire.storefront.account_access import customer_required, recent_password_required
from lumeire.storefront.account_forms import (
    AccountForm,
    EmailChangeForm,
    IdentityNumberForm,
    LanguageForm,
    PasswordChangeForm,
    ProfileForm,
    RecoveryQuestionForm,
    TokenRevokeForm,
    UsernameForm,
    password_help_texts,
)


def account_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page of the customer's own account: signed in, customer, password typed recently."""
    return customer_required(recent_password_required(view))


def two_factor_is_on(request: HttpRequest) -> bool:
    """Whether the signed-in customer confirmed an authenticator app."""
    return TwoFactorDevice.objects.filter(user=request.user, confirmed_at__isnull=False).exists()


@require_GET
@account_page
def account(request: HttpRequest) -> HttpResponse:
    """What the store keeps about the customer: the identity number masked, no answer shown."""
    context = {
        "customer": request.user.customer,
        "two_factor_on": two_factor_is_on(request),
        "api_tokens": api_tokens_of(request.user),
        "revoke_form": TokenRevokeForm(),
        "email_language": dict(settings.LANGUAGES).get(request.user.language, ""),
    }
    return render(request, "storefront/account/account.html", context)


def _change_page(
    request: HttpRequest,
    *,
    form: AccountForm,
    change: Callable[[dict[str, object]], object],
    done: str,
    template: str,
    title: str,
    extra: dict[str, object] | None = None,
) -> HttpResponse:
    """Parse ``form``, call ``change`` with its cleaned data, and go back to the account page."""
    if request.method == "POST" and form.is_valid():
        try:
            change(form.cleaned_data)
        except AccountError as error:
            form.apply(error)
        else:
            messages.success(request, done)
            return redirect("storefront:account")
    context = {"form": form, "title": title, **(extra or {})}
    return render(request, template, context, status=400 if form.errors else 200)


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
@account_page
def profile_change(request: HttpRequest) -> HttpResponse:
    """Correct the name or the date of birth."""
    customer = request.user.customer
    initial = {"full_name": customer.full_name, "date_of_birth": customer.date_of_birth}
    return _change_page(
        request,
        form=ProfileForm(request.POST or None, initial=initial),
        change=lambda data: customer_profile_update(
            actor=request.user, full_name=data["full_name"], date_of_birth=data["date_of_birth"]
        ),
        done=_("Your details were saved."),
        template="storefront/account/change.html",
        title=_("Name and date of birth"),
    )


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
@account_page
def email_change(request: HttpRequest) -> HttpResponse:
    """Ask for a new address; it replaces the old one only once its link is opened."""
    return _change_page(
        request,
        form=EmailChangeForm(request.POST or None),
        change=lambda data: email_change_request(
            actor=request.user,
            current_password=data["current_password"],
            new_email=data["new_email"],
            request=request,
        ),
        done=_(
            "A confirmation link is on its way to the new address. Your email changes when "
            "you open it; until then the old address stays in use."
        ),
        template="storefront/account/change.html",
        title=_("Email address"),
    )


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
@account_page
def password_change_page(request: HttpRequest) -> HttpResponse:
    """Change the password; every other session ends, this one stays signed in."""

    def change(data: dict[str, object]) -> None:
        password_change(
            actor=request.user,
            current_password=data["current_password"],
            new_password=data["new_password"],
            request=request,
        )
        # The new password hash ends every other session; keep this one going.
        update_session_auth_hash(request, request.user)

    return _change_page(
        request,
        form=PasswordChangeForm(request.POST or None),
        change=change,
        done=_("Your password was changed. Other devices were signed out."),
        template="storefront/account/change.html",
        title=_("Password"),
        extra={"password_help": password_help_texts()},
    )


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
@account_page
def recovery_question_change_page(request: HttpRequest) -> HttpResponse:
    """Choose a new recovery question and answer."""
    return _change_page(
        request,
        form=RecoveryQuestionForm(request.POST or None),
        change=lambda data: recovery_question_change(
            actor=request.user,
            current_password=data["current_password"],
            question=data["recovery_question"],
            answer=data["recovery_answer"],
            request=request,
        ),
        done=_("Your recovery question and answer were changed."),
        template="storefront/account/change.html",
        title=_("Recovery question"),
    )


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
@account_page
def identity_number_change_page(request: HttpRequest) -> HttpResponse:
    """Ask to replace the identity number; the answer is the same whatever the number, and the
    outcome goes by email (a confirmation link, or a refusal when another account holds it)."""
    return _change_page(
        request,
        form=IdentityNumberForm(request.POST or None),
        change=lambda data: identity_number_change(
            actor=request.user,
            current_password=data["current_password"],
            identity_number=data["identity_number"],
            request=request,
        ),
        done=_(
            "Check your email: we sent the next step to your account's address. Your national "
            "ID or residence number (iqama) changes only when you confirm it there."
        ),
        template="storefront/account/change.html",
        title=_("National ID or residence number"),
    )


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
@account_page
def username_change_page(request: HttpRequest) -> HttpResponse:
    """Choose a new username; it must stay unique. The email address still signs in."""
    return _change_page(
        request,
        form=UsernameForm(request.POST or None),
        change=lambda data: username_change(
            actor=request.user,
            current_password=data["current_password"],
            username=data["username"],
            request=request,
        ),
        done=_("Your username was changed. Use it the next time you sign in."),
        template="storefront/account/change.html",
        title=_("Username"),
    )


@require_http_methods(["GET", "POST"])
@account_page
def language_change_page(request: HttpRequest) -> HttpResponse:
    """Choose the language the store's emails are written in."""
    return _change_page(
        request,
        form=LanguageForm(request.POST or None, initial={"language": request.user.language}),
        change=lambda data: account_language_change(actor=request.user, language=data["language"]),
        done=_("The store will write to you in the language you chose."),
        template="storefront/account/change.html",
        title=_("Language of emails"),
    )


@require_http_methods(["POST"])
@account_page
def api_token_revoke_page(request: HttpRequest) -> HttpResponse:
    """Revoke one API token of the account; another account's token id does nothing."""
    form = TokenRevokeForm(request.POST)
    if form.is_valid() and api_token_revoke(
        user=request.user, token_id=form.cleaned_data["token_id"]
    ):
        messages.success(request, _("The token was revoked. Apps using it are signed out."))
    else:
        messages.error(request, _("That token was already revoked or has expired."))
    return redirect("storefront:account")
