"""Reveal: a staff member sees a masked personal value in clear, for one page view, with a reason.

Every back office page shows personal values masked. A "Reveal" link opens a small form (a
reason category and a sentence); its POST answers with the clear values on a page that is never
cached, and records who looked, at what, of whom and why in the audit log in the same
transaction. Nothing clear is kept in the session. A role the data inventory does not name for
a field gets no link; a forged POST from it is refused with 403 and that refusal is recorded.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib.admin.utils import quote
from django.db import models, transaction
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lumeire.accounts.pseudonyms import client_ref
from lumeire.audit.models import RevealReason
from lumeire.orders.models import ADDRESS_FIELDS
from lumeire.staff.access import Permission, has_permission, may_reveal
from lumeire.staff.services import reveal_record
from lumeire.staff.services import reveal_refused_record as staff_reveal_refused_record

ALL_FIELDS = "all"
REASON_MIN_LENGTH = 10
REASON_MAX_LENGTH = 300
NOTHING = "—"
NO_STORE = "no-store, private"
SAFE_TARGET_ID = re.compile(r"[A-Za-z0-9_.:-]{1,64}")


@dataclass(frozen=True)
class Revealable:
    """One value a page shows masked and may reveal.

    ``name`` is what the form posts; ``model_fields`` are the inventory entries that decide who
    may see it, and the names the audit log records (names only, never values).
    """

    name: str
    label: str | Promise
    model: type[models.Model]
    model_fields: tuple[str, ...]
    read: Callable[[Any], str]
    mask: Callable[[Any], str]
    applies: Callable[[Any], bool] = lambda obj: True

    def allowed_for(self, user) -> bool:
        return all(may_reveal(user, self.model, field) for field in self.model_fields)


@dataclass(frozen=True)
class RevealTarget:
    """A kind of record with revealable values: a customer, an order."""

    target_type: str
    permission: Permission
    fields: tuple[Revealable, ...]
    subject_of: Callable[[Any], uuid.UUID | None]
    target_id_of: Callable[[Any], str]
    title_of: Callable[[Any], str]
    back_url_of: Callable[[Any], str]

    def field(self, name: str) -> Revealable | None:
        return next((field for field in self.fields if field.name == name), None)

    def fields_of(self, obj: Any) -> list[Revealable]:
        return [field for field in self.fields if field.applies(obj)]

    def may_open(self, user) -> bool:
        return has_permission(user, self.permission)

    def revealable_by(self, user, obj: Any) -> list[Revealable]:
        """The fields of ``obj`` this staff member may reveal (none without the page's right)."""
        if not self.may_open(user):
            return []
        return [field for field in self.fields_of(obj) if field.allowed_for(user)]


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
    return client_ref(request.META.get("REMOTE_ADDR"))


def _target_id(target: RevealTarget, obj: Any, object_id: str) -> str:
    if obj is not None:
        return target.target_id_of(obj)
    # A forged URL's id is kept only when it looks like an id (never free text in the log).
    return object_id if SAFE_TARGET_ID.fullmatch(object_id or "") else ""


def reveal_refused_record(
    *,
    actor,
    target: RevealTarget,
    obj: Any,
    object_id: str,
    fields: Iterable[str],
    client: str,
) -> None:
    """Record a reveal the actor's role does not allow (a forged request: no link was shown)."""
    staff_reveal_refused_record(
        actor=actor,
        target_type=target.target_type,
        target_id=_target_id(target, obj, object_id),
        subject_id=target.subject_of(obj) if obj is not None else None,
        fields=fields,
        client=client,
    )


def reveal_values(
    *,
    actor,
    target: RevealTarget,
    obj: Any,
    fields: Sequence[Revealable],
    reason_category: str,
    reason: str,
    client: str,
) -> list[tuple[str, str]]:
    """The clear values of ``fields``, read only once the reveal is recorded (same transaction).

    The caller has checked the role; a failure to read rolls the record back with it.
    """
    with transaction.atomic():
        reveal_record(
            actor=actor,
            target_type=target.target_type,
            target_id=target.target_id_of(obj),
            subject_id=target.subject_of(obj),
            fields=[name for field in fields for name in field.model_fields],
            reason_category=reason_category,
            reason=reason,
            client=client,
        )
        return [(str(field.label), field.read(obj) or NOTHING) for field in fields]


def _requested(target: RevealTarget, obj: Any, name: str, user) -> list[Revealable] | None:
    """The fields a request names: one, or every field the role may see; None when unknown."""
    if name == ALL_FIELDS:
        # None allowed: ask for them all, so that the refusal below names them.
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


def reveal_view(
    request: HttpRequest,
    *,
    admin_site,
    target: RevealTarget,
    obj: Any,
    object_id: str,
) -> HttpResponse:
    """GET: the reason form for a field (or ``all``). POST: the clear values, recorded.

    ``obj`` is None when no such record exists. Refusals by role are 403 (and recorded for a
    POST); bad input (no reason, unknown field) is 400 and records nothing.
    """
    user = request.user
    if request.method not in ("GET", "POST"):
        return HttpResponse(status=405, headers={"Allow": "GET, POST"})
    posting = request.method == "POST"
    name = (request.POST if posting else request.GET).get("field", "")
    if not target.may_open(user):
        if posting:
            reveal_refused_record(
                actor=user,
                target=target,
                obj=obj,
                object_id=object_id,
                fields=_names_for_log(target, name),
                client=request_client_ref(request),
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
    if not fields or any(not field.allowed_for(user) for field in fields):
        if posting:
            reveal_refused_record(
                actor=user,
                target=target,
                obj=obj,
                object_id=object_id,
                fields=[n for field in fields for n in field.model_fields],
                client=request_client_ref(request),
            )
        return refused_response(request, admin_site, recorded=posting)
    if not posting:
        form = RevealForm(initial={"field": name})
        return _form_response(request, admin_site, target, obj, form, fields)
    form = RevealForm(request.POST)
    if not form.is_valid():
        return _form_response(request, admin_site, target, obj, form, fields, status=400)
    values = reveal_values(
        actor=user,
        target=target,
        obj=obj,
        fields=fields,
        reason_category=form.cleaned_data["reason_category"],
        reason=form.cleaned_data["reason"],
        client=request_client_ref(request),
    )
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


def _names_for_log(target: RevealTarget, name: str) -> list[str]:
    """Field names of a refused request, for the log: only names the page knows, never input."""
    if name == ALL_FIELDS:
        return [n for field in target.fields for n in field.model_fields]
    field = target.field(name)
    return list(field.model_fields) if field else []


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


DELIVERY_REASON = "Shown to fulfilment: the order is ready to pack or ship"


def delivery_view_record(*, actor, order, client: str) -> None:
    """Fulfilment saw an order's address without a reveal step: record it as a delivery reveal.

    One entry per page view, like any reveal, so the customer's "who looked" page lists it.
    """
    with transaction.atomic():
        reveal_record(
            actor=actor,
            target_type="order",
            target_id=order.number,
            subject_id=order.customer_id,
            fields=ADDRESS_FIELDS,
            reason_category=RevealReason.DELIVERY,
            reason=DELIVERY_REASON,
            client=client,
        )
