"""A catalogue service that refuses a save ends on the same page with the reason on the form.

The forms check what they can first; the services stay the final guard. When a service still
refuses (or the database does, after a race), the admin's transaction has rolled back, and the
page is built again from the same POST with the refusal attached to the form that caused it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from django import forms
from django.contrib import messages
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _

from lumeire.core.errors import ApplicationError

logger = logging.getLogger(__name__)

REQUEST_ATTRIBUTE = "backoffice_refusal"


class Refusal(Exception):
    """A service's refusal, and the prefix of the form it belongs to ("" for the main form)."""

    def __init__(self, error: ApplicationError, prefix: str = "") -> None:
        super().__init__(error.message)
        self.error = error
        self.prefix = prefix


@contextmanager
def service_refusals(prefix: str = "") -> Iterator[None]:
    """Turn a service's refusal into a ``Refusal`` for the form with ``prefix``."""
    try:
        yield
    except ApplicationError as error:
        raise Refusal(error, prefix) from error


def refusal_apply(form: forms.BaseForm, error: ApplicationError) -> None:
    """Put a refusal's field errors on their fields, and its message above the form otherwise."""
    placed = False
    for field, field_messages in error.field_errors.items():
        if field in form.fields:
            for message in field_messages:
                form.add_error(field, message)
            placed = True
    if not placed:
        form.add_error(None, error.message)


def refusal_form(form_class: type[forms.BaseForm], refusal: Refusal) -> type[forms.BaseForm]:
    """A subclass of ``form_class`` whose validation fails with ``refusal`` (for its prefix)."""

    def clean(self) -> dict[str, object]:
        form_class.clean(self)
        if (self.prefix or "") == refusal.prefix:
            refusal_apply(self, refusal.error)
        return self.cleaned_data

    return type(form_class.__name__, (form_class,), {"clean": clean})


def _database_refusal() -> ApplicationError:
    return ApplicationError(
        "conflict",
        _("Another change was saved at the same moment. Check the values and save again."),
    )


class RefusalsOnTheFormMixin:
    """For a ModelAdmin and its inlines: service refusals become form errors, never a 500."""

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except Refusal as refusal:
            setattr(request, REQUEST_ATTRIBUTE, refusal)
        except IntegrityError as error:
            logger.warning(
                "catalogue save refused by the database", extra={"error": type(error).__name__}
            )
            setattr(request, REQUEST_ATTRIBUTE, Refusal(_database_refusal()))
        for upload in request.FILES.values():
            upload.seek(0)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):
        """Edits made in the list (stock) that a service refuses: say why, change nothing."""
        try:
            return super().changelist_view(request, extra_context)
        except Refusal as refusal:
            message = refusal.error.message
        except IntegrityError:
            message = _database_refusal().message
        self.message_user(request, message, messages.ERROR)
        return HttpResponseRedirect(request.get_full_path())

    def get_form(self, request: HttpRequest, obj=None, change: bool = False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        refusal = getattr(request, REQUEST_ATTRIBUTE, None)
        return refusal_form(form, refusal) if refusal and not refusal.prefix else form


class RefusalsOnTheInlineMixin:
    """For an inline: a refusal of one of its rows shows on that row."""

    def get_formset(self, request: HttpRequest, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        refusal = getattr(request, REQUEST_ATTRIBUTE, None)
        if not refusal or not refusal.prefix:
            return formset
        return type(formset.__name__, (formset,), {"form": refusal_form(formset.form, refusal)})
