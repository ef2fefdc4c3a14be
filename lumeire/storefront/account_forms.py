"""Account forms: they parse what the browser sent; the accounts services own every rule.

A form checks only what a service cannot: that a password was typed the same way twice, and
that a date is a date. Everything else (lengths, formats, uniqueness, the password policy) is
refused by the service, whose field errors are put back on the matching field with
``AccountForm.apply``, so the web pages and the API give the same answers.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from lumeire.accounts.errors import AccountError
from lumeire.accounts.recovery_questions import RecoveryQuestion
from lumeire.accounts.services.signup import SignUpData

USERNAME_HELP = _(
    "3 to 30 Latin or Arabic letters (not both), digits, dots, hyphens or underscores."
)
PASSPHRASE_HINT = _("A long passphrase you use nowhere else: a few unrelated words work well.")


def _text(autocomplete: str = "off", **attrs: object) -> forms.TextInput:
    return forms.TextInput(attrs={"autocomplete": autocomplete, **attrs})


def _password(autocomplete: str) -> forms.PasswordInput:
    return forms.PasswordInput(attrs={"autocomplete": autocomplete, "required": True})


def _date() -> forms.DateInput:
    return forms.DateInput(
        format="%Y-%m-%d", attrs={"type": "date", "autocomplete": "bday", "required": True}
    )


def _question_choices() -> list[tuple[str, str]]:
    return [("", _("Choose a question")), *RecoveryQuestion.choices]


def password_help_texts() -> dict[str, object]:
    """The password rules in force, in the page's language, for the strength hint."""
    return {
        "rules": password_validation.password_validators_help_texts(),
        "min_length": settings.LUMEIRE_PASSWORD_MIN_LENGTH,
    }


class AccountForm(forms.Form):
    """A form whose fields may receive the errors an accounts service raised."""

    # A service's field name -> this form's field name, where they differ.
    service_fields: dict[str, str] = {}

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def apply(self, error: AccountError) -> None:
        """Show a refused action's messages on the fields they are about, or above the form."""
        if not error.field_errors:
            self.add_error(None, error.message)
            return
        for name, messages in error.field_errors.items():
            field = self.service_fields.get(name, name)
            for message in messages:
                self.add_error(field if field in self.fields else None, message)


class _PasswordPairMixin:
    """Refuse a new password typed differently in its confirmation."""

    first = "new_password"
    second = "new_password_confirmation"

    def clean(self) -> dict[str, object]:
        cleaned = super().clean()  # type: ignore[misc]
        typed = (self.first in cleaned) and (self.second in cleaned)
        if typed and cleaned[self.first] != cleaned[self.second]:
            self.add_error(self.second, _("The two passwords are not the same."))  # type: ignore[attr-defined]
        return cleaned


class SignUpForm(_PasswordPairMixin, AccountForm):
    """Exactly what the policy lists, plus the acceptance of the policy version shown."""

    first = "password"
    second = "password_confirmation"
    service_fields = {"accepted_policy_version": "accept_policy"}

    username = forms.CharField(
        label=_("Username"),
        required=False,
        help_text=USERNAME_HELP,
        widget=_text(
            "username", maxlength=30, autocapitalize="none", spellcheck="false", required=True
        ),
    )
    email = forms.CharField(
        label=_("Email address"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "required": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        required=False,
        strip=False,
        help_text=PASSPHRASE_HINT,
        widget=_password("new-password"),
    )
    password_confirmation = forms.CharField(
        label=_("Password again"), required=False, strip=False, widget=_password("new-password")
    )
    full_name = forms.CharField(
        label=_("Full name"),
        required=False,
        widget=_text("name", maxlength=150, required=True),
    )
    date_of_birth = forms.DateField(
        label=_("Date of birth"),
        required=False,
        input_formats=["%Y-%m-%d"],
        help_text=_("Your age is worked out from it; you must be an adult to open an account."),
        widget=_date(),
    )
    identity_number = forms.CharField(
        label=_("National ID or residence number"),
        required=False,
        help_text=_("10 digits. It is stored encrypted and shown to you masked."),
        widget=_text(inputmode="numeric", maxlength=24, required=True),
    )
    recovery_question = forms.ChoiceField(
        label=_("Recovery question"),
        required=False,
        choices=_question_choices,
        widget=forms.Select(attrs={"required": True}),
    )
    recovery_answer = forms.CharField(
        label=_("Answer to your recovery question"),
        required=False,
        strip=False,
        help_text=_(
            "Keep the answer to your recovery question to yourself. Capitals and extra spaces "
            "do not matter."
        ),
        widget=_text(maxlength=200, required=True),
    )
    accept_policy = forms.BooleanField(
        required=False, widget=forms.CheckboxInput(attrs={"required": True})
    )
    policy_version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def sign_up_data(self, *, language: str) -> SignUpData:
        """The typed values, as the sign-up service takes them."""
        data = self.cleaned_data
        return SignUpData(
            username=data["username"],
            email=data["email"],
            password=data["password"],
            full_name=data["full_name"],
            date_of_birth=data["date_of_birth"],
            identity_number=data["identity_number"],
            recovery_question=data["recovery_question"],
            recovery_answer=data["recovery_answer"],
            accepted_policy_version=data["policy_version"] if data["accept_policy"] else None,
            language=language,
        )


class SignUpOpenForm(AccountForm):
    """The last step of a sign-up: the username, which may be changed if it was taken."""

    username = forms.CharField(
        label=_("Username"),
        required=False,
        max_length=200,
        help_text=USERNAME_HELP,
        widget=_text(
            "username", maxlength=30, autocapitalize="none", spellcheck="false", required=True
        ),
    )


class SignInForm(AccountForm):
    """Username or email, password, and the authenticator code when the account asks for one."""

    login = forms.CharField(
        label=_("Username or email"),
        max_length=320,
        widget=_text("username", autocapitalize="none", spellcheck="false"),
    )
    password = forms.CharField(
        label=_("Password"), strip=False, max_length=1024, widget=_password("current-password")
    )
    remember_me = forms.BooleanField(label=_("Keep me signed in on this device"), required=False)
    code = forms.CharField(
        label=_("Code from your authenticator app, or a recovery code"),
        required=False,
        max_length=32,
        widget=_text("one-time-code", autocapitalize="none", spellcheck="false"),
    )
    next = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)


class ForgotPasswordForm(AccountForm):
    login = forms.CharField(
        label=_("Username or email"),
        max_length=320,
        widget=_text("username", autocapitalize="none", spellcheck="false"),
    )


class RecoveryForm(_PasswordPairMixin, AccountForm):
    """The second factor of a recovery: the answer, with the new password."""

    recovery_answer = forms.CharField(
        label=_("Your answer"), strip=False, max_length=1000, widget=_text(required=True)
    )
    new_password = forms.CharField(
        label=_("New password"),
        strip=False,
        help_text=PASSPHRASE_HINT,
        widget=_password("new-password"),
    )
    new_password_confirmation = forms.CharField(
        label=_("New password again"), strip=False, widget=_password("new-password")
    )


class ConfirmPasswordForm(AccountForm):
    password = forms.CharField(
        label=_("Password"), strip=False, max_length=1024, widget=_password("current-password")
    )
    next = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)


class _CurrentPasswordForm(AccountForm):
    current_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        max_length=1024,
        widget=_password("current-password"),
    )


class ProfileForm(AccountForm):
    full_name = forms.CharField(
        label=_("Full name"), required=False, widget=_text("name", maxlength=150, required=True)
    )
    date_of_birth = forms.DateField(
        label=_("Date of birth"), input_formats=["%Y-%m-%d"], widget=_date()
    )


class EmailChangeForm(_CurrentPasswordForm):
    new_email = forms.CharField(
        label=_("New email address"),
        max_length=320,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    field_order = ["new_email", "current_password"]


class PasswordChangeForm(_PasswordPairMixin, _CurrentPasswordForm):
    new_password = forms.CharField(
        label=_("New password"),
        strip=False,
        help_text=PASSPHRASE_HINT,
        widget=_password("new-password"),
    )
    new_password_confirmation = forms.CharField(
        label=_("New password again"), strip=False, widget=_password("new-password")
    )


class RecoveryQuestionForm(_CurrentPasswordForm):
    recovery_question = forms.ChoiceField(label=_("Recovery question"), choices=_question_choices)
    recovery_answer = forms.CharField(
        label=_("Answer"),
        strip=False,
        max_length=1000,
        help_text=_("Keep the answer to your recovery question to yourself."),
        widget=_text(),
    )
    field_order = ["recovery_question", "recovery_answer", "current_password"]


class IdentityNumberForm(_CurrentPasswordForm):
    identity_number = forms.CharField(
        label=_("New national ID or residence number"),
        max_length=24,
        widget=_text(inputmode="numeric"),
    )
    field_order = ["identity_number", "current_password"]


class UsernameForm(_CurrentPasswordForm):
    username = forms.CharField(
        label=_("New username"),
        max_length=200,
        help_text=USERNAME_HELP,
        widget=_text("username", maxlength=30, autocapitalize="none", spellcheck="false"),
    )
    field_order = ["username", "current_password"]


def _language_choices() -> list[tuple[str, str]]:
    return list(settings.LANGUAGES)


class LanguageForm(AccountForm):
    language = forms.ChoiceField(
        label=_("Language of emails"),
        choices=_language_choices,
        help_text=_(
            "The store writes to you in this language: order updates, account notices and "
            "confirmation links."
        ),
    )


class TwoFactorCodeForm(AccountForm):
    code = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=16,
        widget=_text("one-time-code", inputmode="numeric"),
    )


class TwoFactorDisableForm(AccountForm):
    password = forms.CharField(
        label=_("Current password"),
        strip=False,
        max_length=1024,
        widget=_password("current-password"),
    )


class TokenRevokeForm(AccountForm):
    token_id = forms.UUIDField(widget=forms.HiddenInput)
