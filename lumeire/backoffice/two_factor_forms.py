"""The back office sign-in and two-factor enrolment forms (staff accounts only)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


def _text(autocomplete: str, **attrs: str) -> forms.TextInput:
    return forms.TextInput(
        attrs={"autocomplete": autocomplete, "autocapitalize": "none", "spellcheck": "false"}
        | attrs
    )


class StaffSignInForm(forms.Form):
    """Login and password, then the one-time code (or a recovery code) of an enrolled device.

    The field is named ``login`` as on the storefront, which is what django-axes counts by.
    """

    login = forms.CharField(label=_("Username or email"), max_length=320, widget=_text("username"))
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        max_length=1024,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    code = forms.CharField(
        label=_("Code from your authenticator app, or a recovery code"),
        required=False,
        max_length=32,
        widget=_text("one-time-code"),
    )
    next = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class StaffCodeForm(forms.Form):
    """The first code of a newly scanned device."""

    code = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=16,
        widget=_text("one-time-code", inputmode="numeric"),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
