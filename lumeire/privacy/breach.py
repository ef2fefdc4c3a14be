"""The breach report: which customers an incident may affect, by data category, and the draft
notification emails (English and Arabic) a person reviews before anything is sent.

A customer is counted in a category when a row of theirs held a value of a field declared in
that category of the data inventory at some time in the window (the row was written before its
end and still exists), or, with ``key_id``, when that data key is theirs (the window then bounds
the rows the same way). Customers whose key was shredded before the window are left out: their
values were unreadable already.
"""

from __future__ import annotations

import os
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import formats, translation

from lumeire.audit.services import audit_record
from lumeire.privacy.audit_actions import PrivacyAuditAction
from lumeire.vault.fields import EncryptedFieldMixin, is_erased
from lumeire.vault.inventory import Category, inventory
from lumeire.vault.models import DataKey

# The column that says when a row was written, by preference.
WRITTEN_AT = ("date_joined", "created_at", "placed_at", "requested_at", "at", "added_at")
LANGUAGES = ("en", "ar")


@dataclass
class BreachAssessment:
    since: datetime
    until: datetime
    key_id: uuid.UUID | None
    # category value -> customer ids
    by_category: dict[str, set[uuid.UUID]] = field(default_factory=lambda: defaultdict(set))

    @property
    def customers(self) -> set[uuid.UUID]:
        return set().union(*self.by_category.values()) if self.by_category else set()

    def counts_by_category(self) -> dict[str, int]:
        return {
            category.value: len(self.by_category.get(category.value, ())) for category in Category
        }

    def categories_of(self, customer_id: uuid.UUID) -> list[str]:
        return [c for c in Category.values if customer_id in self.by_category.get(c, ())]


def _user_column(model: type[models.Model], model_field: models.Field) -> str | None:
    """The column of ``model`` that names the customer a value belongs to."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    if model is user_model:
        return "pk"
    if isinstance(model_field, EncryptedFieldMixin) and model_field.subject_field != "pk":
        return model_field.subject_field
    for candidate in model._meta.concrete_fields:
        if candidate.is_relation and candidate.related_model is user_model:
            return candidate.attname
    return None


def _holds_value(model_field: models.Field) -> Q:
    held = Q(**{f"{model_field.attname}__isnull": False})
    if not isinstance(model_field, EncryptedFieldMixin) and isinstance(
        model_field, models.CharField | models.TextField
    ):
        held &= ~Q(**{model_field.attname: ""})
    return held


def breach_assess(
    *, since: datetime, until: datetime, key_id: uuid.UUID | None = None
) -> BreachAssessment:
    """Count, by inventory category, the customers whose data existed in the window."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    data_key = DataKey
    assessment = BreachAssessment(since=since, until=until, key_id=key_id)
    customers = user_model._base_manager.filter(kind="customer", date_joined__lte=until)
    unreadable = data_key.objects.filter(shredded_at__lt=since).values_list("subject_id", flat=True)
    customers = customers.exclude(pk__in=unreadable)
    if key_id is not None:
        customers = customers.filter(
            pk__in=data_key.objects.filter(pk=key_id).values_list("subject_id", flat=True)
        )
    customer_ids = set(customers.values_list("pk", flat=True))
    if not customer_ids:
        return assessment
    for entry in inventory():
        model_field = entry.model._meta.get_field(entry.field_name)
        column = _user_column(entry.model, model_field)
        if column is None:
            continue
        rows = entry.model._base_manager.filter(_holds_value(model_field))
        written = next((name for name in WRITTEN_AT if _has_field(entry.model, name)), None)
        if written is not None:
            rows = rows.filter(**{f"{written}__lte": until})
        found = rows.filter(**{f"{column}__in": customer_ids}).values_list(column, flat=True)
        assessment.by_category[entry.declaration.category.value].update(
            uuid.UUID(str(value)) for value in found if value is not None
        )
    return assessment


def _has_field(model: type[models.Model], name: str) -> bool:
    return any(f.name == name for f in model._meta.concrete_fields)


def _render_notice(assessment: BreachAssessment, categories: list[str], language: str) -> str:
    with translation.override(language):
        return render_to_string(
            "privacy/email/breach_notice.txt",
            {
                "store_name": settings.LUMEIRE_STORE_NAME,
                "since": formats.date_format(assessment.since, "DATE_FORMAT"),
                "until": formats.date_format(assessment.until, "DATE_FORMAT"),
                "categories": [str(Category(c).label) for c in categories],
            },
        ).strip()


def breach_notices_write(assessment: BreachAssessment, folder: Path) -> int:
    """Write one file per reachable customer (English, then Arabic) into ``folder``.

    Files are numbered, never named after a person, and readable by their owner only. Returns
    how many were written; one audit entry records that the report was prepared.
    """
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    written = 0
    for user in user_model._base_manager.filter(pk__in=assessment.customers).order_by("pk"):
        address = user.email
        if not address or is_erased(address):
            continue
        categories = assessment.categories_of(user.pk)
        parts = [f"To: {address}", f"Languages: {', '.join(LANGUAGES)}", ""]
        for language in LANGUAGES:
            subject, _sep, body = _render_notice(assessment, categories, language).partition("\n")
            parts += [f"Subject ({language}): {subject.strip()}", "", body.strip(), "", "-" * 40]
        written += 1
        path = folder / f"notice-{written:05d}.txt"
        path.write_text("\n".join(parts) + "\n", encoding="utf-8")
        os.chmod(path, 0o600)
    audit_record(actor=None, action=PrivacyAuditAction.BREACH_REPORT, fields=list(Category.values))
    return written
