"""The test gateway's card page: where a provider's hosted payment fields would be.

Checkout sends the shopper here with ``?return_to=<a path of this site>``; a valid card comes
back as ``card_token=tok_...`` added to that path (303). The number and the security code are
never shown again, not even after a refusal.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django import forms
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods

from lumeire.core.client import client_address
from lumeire.payments.errors import PaymentError
from lumeire.payments.services import card_tokenise, card_tokenise_throttle
from lumeire.payments.test_gateway import card_gateway_is_test

TEMPLATE = "payments/card_form.html"
# A local path: one slash, then no second slash or backslash (both mean another host), no
# spaces or control characters.
_LOCAL_PATH = re.compile(r"/(?![/\\])[^\s\\\x00-\x1f\x7f]*", flags=re.ASCII)


class _NeverEchoed(forms.TextInput):
    """A text box that never writes back what was typed into it."""

    def format_value(self, value: object) -> None:
        return None


def _numeric(autocomplete: str, maxlength: int, *, echo: bool = True) -> forms.TextInput:
    attrs = {
        "autocomplete": autocomplete,
        "inputmode": "numeric",
        "maxlength": str(maxlength),
        "spellcheck": "false",
        "dir": "ltr",
    }
    return (forms.TextInput if echo else _NeverEchoed)(attrs=attrs)


class CardForm(forms.Form):
    """Only carries what was typed: every rule lives in ``card_tokenise``."""

    number = forms.CharField(
        label=_("Card number"),
        required=False,
        strip=False,
        widget=_numeric("cc-number", 40, echo=False),
    )
    exp_month = forms.CharField(
        label=_("Expiry month (MM)"), required=False, widget=_numeric("cc-exp-month", 2)
    )
    exp_year = forms.CharField(
        label=_("Expiry year (YY or YYYY)"), required=False, widget=_numeric("cc-exp-year", 4)
    )
    cvc = forms.CharField(
        label=_("Security code (CVC)"),
        help_text=_(
            "The 3 or 4 digits on the back of the card (on the front for American Express)."
        ),
        required=False,
        strip=False,
        widget=_numeric("cc-csc", 4, echo=False),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def apply(self, error: PaymentError) -> None:
        """Show a refusal's messages on the fields they are about, or above the form."""
        if not error.field_errors:
            self.add_error(None, error.message)
        for name, messages in error.field_errors.items():
            for message in messages:
                self.add_error(name if name in self.fields else None, message)


def local_path(candidate: str) -> bool:
    """Whether ``candidate`` is a path on this site, never another host's address."""
    return (
        len(candidate) <= 2000
        and bool(_LOCAL_PATH.fullmatch(candidate))
        and url_has_allowed_host_and_scheme(candidate, allowed_hosts=set())
    )


def with_card_token(path: str, token: str) -> str:
    """``path`` with ``card_token`` set in its query (any earlier one replaced)."""
    parts = urlsplit(path)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "card_token"]
    query.append(("card_token", token))
    return urlunsplit(("", "", parts.path, urlencode(query), parts.fragment))


class _SeeOther(HttpResponseRedirect):
    status_code = 303


@sensitive_post_parameters("number", "cvc")
@never_cache
@require_http_methods(["GET", "POST"])
@sensitive_variables("data")
def card_form(request: HttpRequest) -> HttpResponse:
    """GET: the card form. POST: tokenise and go back to ``return_to`` with the token."""
    if not card_gateway_is_test():
        raise Http404
    return_to = request.GET.get("return_to", "")
    if not local_path(return_to):
        return render(request, TEMPLATE, {"bad_link": True}, status=400)
    form = CardForm(request.POST if request.method == "POST" else None)
    status, retry_after = 200, None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            card_tokenise_throttle(address=client_address(request))
            card = card_tokenise(
                number=data["number"],
                exp_month=data["exp_month"],
                exp_year=data["exp_year"],
                cvc=data["cvc"],
            )
        except PaymentError as refused:
            form.apply(refused)
            status, retry_after = refused.status_code, refused.retry_after
        else:
            return _SeeOther(with_card_token(return_to, card.token))
    response = render(request, TEMPLATE, {"form": form, "return_to": return_to}, status=status)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response
