"""The back office sign-in form: the store's own sign-in check, and staff accounts only."""

from __future__ import annotations

from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from lumeire.accounts.errors import AccountError, AccountErrorCode
from lumeire.accounts.models import AccountKind, User
from lumeire.accounts.services.signin import sign_in_check

# Where back office sign-ins are counted apart from the storefront's (SignInEvent.channel holds
# at most 8 characters).
SIGN_IN_CHANNEL = "staff"
LOGIN_LABEL = _("username or email")


class BackOfficeAuthenticationForm(AdminAuthenticationForm):
    """Sign in through ``sign_in_check``: the same lockout, events and timing as the storefront.

    Every refusal but a lockout reads the same ("enter the correct ... for a staff account"),
    so the form never tells whether a customer account exists.
    """

    def __init__(self, request=None, *args, **kwargs) -> None:
        super().__init__(request, *args, **kwargs)
        login = self.fields["username"]
        login.label = LOGIN_LABEL.capitalize()
        login.max_length = 320
        login.widget.attrs["maxlength"] = 320
        login.widget.attrs["autocomplete"] = "username"

    def clean(self) -> dict[str, object]:
        login = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if login is not None and password:
            # Staff two-factor (a later issue) hooks in here: the code goes to sign_in_check as
            # otp=, and BackOfficeSite.has_permission also asks for a verified second factor.
            try:
                self.user_cache = sign_in_check(
                    request=self.request,
                    login=login,
                    password=password,
                    channel=SIGN_IN_CHANNEL,
                    kind=AccountKind.STAFF,
                )
            except AccountError as error:
                if error.code == AccountErrorCode.LOCKED_OUT:
                    raise ValidationError(error.message, code="locked_out") from None
                raise self.get_invalid_login_error() from None
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data

    def confirm_login_allowed(self, user: User) -> None:
        if not user.is_active or user.kind != AccountKind.STAFF:
            raise self.get_invalid_login_error()

    def get_invalid_login_error(self) -> ValidationError:
        return ValidationError(
            self.error_messages["invalid_login"],
            code="invalid_login",
            params={"username": LOGIN_LABEL},
        )
