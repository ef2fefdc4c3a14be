"""Reveal pages: a staff member sees a masked personal value in clear, for one page view.

Every back office page shows personal values masked. A "Reveal" link opens a small form (a
reason category and a sentence); its POST calls the staff reveal service
(``lumeire.staff.reveal.reveal_values``), which checks the role and the record's state, records
the look in the audit log and reads the values in one step. This module only renders: the form,
the values on a page that is never cached, or the refusal (403, recorded by the service; 400 for
bad input, nothing recorded). Nothing clear is kept in the session.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib.admin.utils import quote
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lumeire.accounts.pseudonyms import client_ref
from lumeire.audit.models import RevealReason
from lumeire.core.client import client_address
from lumeire.staff.errors import StaffError
from lumeire.staff.reveal import (
    DELIVERY_REASON,
    NOTHING,
    REASON_MAX_LENGTH,
    REASON_MIN_LENGTH,
    Revealable,
    RevealRefused,
    RevealTarget,
    field_names,
    refused,
    reveal_values,
)

__all__ = [
    "ALL_FIELDS",
    "DELIVERY_REASON",
    "NO_STORE",
    "REVEAL_MODELS",
    "MaskedRow",
    "ReasonForm",
    "RevealTarget",
    "Revealable",
    "masked_rows",
    "request_client_ref",
    "reveal_url",
    "reveal_view",
]

ALL_FIELDS = "all"
NO_STORE = "no-store, private"
SAFE_TARGET_ID = re.compile(r"[A-Za-z0-9_.:-]{1,64}")


@dataclass(frozen=True)
class MaskedRow:
    """A row of a detail page: a label, the masked value, and the field's reveal link if any."""

    name: str
    label: str
    value: str
    reveal_url: str = ""


def reveal_url(target: RevealTarget, obj: Any, field: str, *, site_name: str) -> str:
    app_label, model_name = _model_key(target)
    url = reverse(f"{site_name}:{app_label}_{model_name}_reveal", args=[quote(obj.pk)])
    return f"{url}?field={field}"


def _model_key(target: RevealTarget) -> tuple[str, str]:
    model = REVEAL_MODELS[target.target_type]
    return model._meta.app_label, model._meta.model_name


# Which admin page a target's reveal URL belongs to; filled in by the admins that offer reveals.
REVEAL_MODELS: dict[str, type[models.Model]] = {}


def masked_rows(user, target: RevealTarget, obj: Any, *, site_name: str) -> list[MaskedRow]:
    """Every revealable value of ``obj`` masked, each with its reveal link when allowed."""
    allowed = {field.name for field in target.revealable_by(user, obj)}
    return [
        MaskedRow(
            name=field.name,
            label=str(field.label),
            value=field.mask(obj) or NOTHING,
            reveal_url=reveal_url(target, obj, field.name, site_name=site_name)
            if field.name in allowed
            else "",
        )
        for field in target.fields_of(obj)
    ]


class ReasonForm(forms.Form):
    """Why a staff member needs a personal value in clear: a category and a sentence."""

    reason_category = forms.ChoiceField(
        label=gettext_lazy("Reason"),
        choices=[("", "—"), *RevealReason.choices],
        error_messages={
            "required": gettext_lazy("Choose a reason."),
            "invalid_choice": gettext_lazy("Choose a reason."),
        },
    )
    reason = forms.CharField(
        label=gettext_lazy("Explain why"),
        min_length=REASON_MIN_LENGTH,
        max_length=REASON_MAX_LENGTH,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": REASON_MAX_LENGTH, "dir": "auto"}),
        help_text=gettext_lazy("Between 10 and 300 characters. Kept in the audit log."),
        error_messages={
            "min_length": gettext_lazy("Write at least 10 characters."),
            "max_length": gettext_lazy("Write at most 300 characters."),
            "required": gettext_lazy("Explain why you need this value."),
        },
    )

    def clean_reason_category(self) -> str:
        category = self.cleaned_data.get("reason_category", "")
        if category not in RevealReason.values:
            raise forms.ValidationError(_("Choose a reason."), code="invalid_choice")
        return category


class RevealForm(ReasonForm):
    """A reveal: which field (or every field the role may see) and the reason."""

    field = forms.CharField(max_length=40, widget=forms.HiddenInput)


def request_client_ref(request: HttpRequest) -> str:
    return client_ref(client_address(request))


def _requested(target: RevealTarget, obj: Any, name: str, user) -> list[Revealable] | None:
    """The fields a request names: one, or every field the role may see; None when unknown."""
    if name == ALL_FIELDS:
        # None allowed: ask for them all, so that the service's refusal names them.
        return target.revealable_by(user, obj) or target.fields_of(obj)
    field = target.field(name)
    if field is None or not field.applies(obj):
        return None
    return [field]


def _context(request: HttpRequest, admin_site, **extra: object) -> dict[str, object]:
    return {**admin_site.each_context(request), **extra}


def refused_response(request: HttpRequest, admin_site, *, recorded: bool) -> HttpResponse:
    response = TemplateResponse(
        request,
        "backoffice/reveal/refused.html",
        _context(request, admin_site, title=_("Not allowed"), recorded=recorded),
        status=403,
    )
    response["Cache-Control"] = NO_STORE
    return response


def _names_for_log(target: RevealTarget, name: str) -> list[str]:
    """Field names of a refused request, for the log: only names the page knows, never input."""
    if name == ALL_FIELDS:
        return field_names(target.fields)
    field = target.field(name)
    return list(field.model_fields) if field else []


def reveal_view(
    request: HttpRequest,
    *,
    admin_site,
    target: RevealTarget,
    obj: Any,
    object_id: str,
) -> HttpResponse:
    """GET: the reason form for a field (or ``all``). POST: the clear values, from the service.

    ``obj`` is None when no such record exists. Refusals by role are 403 (recorded for a POST);
    bad input (no reason, unknown field) is 400 and records nothing.
    """
    user = request.user
    if request.method not in ("GET", "POST"):
        return HttpResponse(status=405, headers={"Allow": "GET, POST"})
    posting = request.method == "POST"
    name = (request.POST if posting else request.GET).get("field", "")
    client = request_client_ref(request)
    if not target.may_open(user):
        if posting:
            # A forged POST from a role without the page: the record may not even exist.
            safe_id = object_id if SAFE_TARGET_ID.fullmatch(object_id or "") else ""
            refused(
                actor=user,
                target_type=target.target_type,
                target_id=target.target_id_of(obj) if obj is not None else safe_id,
                subject_id=target.subject_of(obj) if obj is not None else None,
                names=_names_for_log(target, name),
                client=client,
            )
        return refused_response(request, admin_site, recorded=posting)
    if obj is None:
        return TemplateResponse(
            request,
            "backoffice/reveal/refused.html",
            _context(request, admin_site, title=_("Not found"), missing=True),
            status=404,
        )
    fields = _requested(target, obj, name, user)
    if fields is None:
        form = RevealForm(initial={"field": name})
        return _form_response(request, admin_site, target, obj, form, [], status=400)
    if not posting:
        if not all(field.allowed_for(user, obj) for field in fields):
            return refused_response(request, admin_site, recorded=False)
        form = RevealForm(initial={"field": name})
        return _form_response(request, admin_site, target, obj, form, fields)
    form = RevealForm(request.POST)
    allowed = all(field.allowed_for(user, obj) for field in fields)
    if allowed and not form.is_valid():
        return _form_response(request, admin_site, target, obj, form, fields, status=400)
    try:
        values = reveal_values(
            actor=user,
            target=target,
            obj=obj,
            fields=fields,
            reason_category=form.cleaned_data.get("reason_category", "") if allowed else "",
            reason=form.cleaned_data.get("reason", "") if allowed else "",
            client=client,
        )
    except RevealRefused:
        return refused_response(request, admin_site, recorded=True)
    except StaffError as problem:
        for field, messages in problem.field_errors.items():
            for message in messages:
                form.add_error(field if field in form.fields else None, message)
        return _form_response(request, admin_site, target, obj, form, fields, status=400)
    response = TemplateResponse(
        request,
        "backoffice/reveal/result.html",
        _context(
            request,
            admin_site,
            title=_("Revealed: %(record)s") % {"record": target.title_of(obj)},
            record_title=target.title_of(obj),
            values=values,
            back_url=target.back_url_of(obj),
        ),
    )
    response["Cache-Control"] = NO_STORE
    return response


def _form_response(
    request: HttpRequest,
    admin_site,
    target: RevealTarget,
    obj: Any,
    form: forms.Form,
    fields: Sequence[Revealable],
    *,
    status: int = 200,
) -> HttpResponse:
    response = TemplateResponse(
        request,
        "backoffice/reveal/form.html",
        _context(
            request,
            admin_site,
            title=_("Reveal: %(record)s") % {"record": target.title_of(obj)},
            record_title=target.title_of(obj),
            form=form,
            labels=[str(field.label) for field in fields],
            unknown_field=not fields,
            back_url=target.back_url_of(obj),
        ),
        status=status,
    )
    response["Cache-Control"] = NO_STORE
    return response
