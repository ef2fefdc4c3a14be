"""The data inventory: every field that holds personal data says what it is and why it is kept.

A model declares its personal fields in a ``personal_data`` class attribute::

    personal_data = {
        "full_name": PersonalData(
            category=Category.IDENTITY,
            purpose=_("Address the customer and put the right name on orders."),
            retention=Retention(period=None, after=_("until the account is deleted")),
            reveal_roles={"owner", "customer_service"},
            policy_clause=PolicyClause.PERSONAL,
        ),
    }

and may list fields whose name looks personal but is not (``not_personal = {"name": "why"}``).
The system check ``vault.E010`` fails start-up, and the inventory test fails the suite, when
a field that holds personal data has no declaration. The privacy policy is generated from here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from django.apps import apps
from django.core import checks
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from lumeire.vault.fields import BlindIndexField, EncryptedFieldMixin


class Category(models.TextChoices):
    """Kinds of personal data, as the policy and the privacy centre group them."""

    IDENTITY = "identity", _("Identity")
    CONTACT = "contact", _("Contact")
    CREDENTIAL = "credential", _("Login credentials")
    FINANCIAL = "financial", _("Financial")
    BEHAVIOURAL = "behavioural", _("Behaviour and preferences")


class PolicyClause(models.TextChoices):
    """Which list of the policy's section "First" a field belongs to."""

    PERSONAL = "first.1", _("Personal information")
    LOGIN = "first.2", _("Login information")
    COOKIES = "first.3", _("Cookies")
    DEALINGS = "second.1", _("Information needed for dealings with the store")


@dataclass(frozen=True)
class Retention:
    """How long a value is kept: ``period`` after the event ``after`` (None: until that event)."""

    after: str | Promise
    period: timedelta | None = None


@dataclass(frozen=True)
class PersonalData:
    """The declaration of one personal field."""

    category: Category
    purpose: str | Promise
    retention: Retention
    reveal_roles: frozenset[str] = field(default_factory=frozenset)
    policy_clause: PolicyClause = PolicyClause.PERSONAL

    def __post_init__(self) -> None:
        object.__setattr__(self, "reveal_roles", frozenset(self.reveal_roles))


@dataclass(frozen=True)
class InventoryEntry:
    """One declared field, as the policy page and the privacy centre list it."""

    model: type[models.Model]
    field_name: str
    declaration: PersonalData

    @property
    def label(self) -> str:
        return f"{self.model._meta.label}.{self.field_name}"


# A field named like this holds personal data unless the model says why it does not.
PERSONAL_NAME_PATTERN = re.compile(
    r"(^|_)(e?mail|name|username|phone|mobile|address|street|city|district|postal|"
    r"birth|dob|age|national|iqama|identity|passport|password|answer|ip)($|_)"
)


def _project_models(models_: Iterable[type[models.Model]] | None) -> list[type[models.Model]]:
    if models_ is not None:
        return list(models_)
    return [m for m in apps.get_models() if m.__module__.startswith("lumeire.")]


def looks_personal(model_field: models.Field) -> bool:
    """Return whether a field holds, or by its name probably holds, personal data."""
    if isinstance(model_field, EncryptedFieldMixin | BlindIndexField):
        return True
    return bool(PERSONAL_NAME_PATTERN.search(model_field.name))


def declarations_of(model: type[models.Model]) -> dict[str, PersonalData]:
    """Return a model's declared personal fields."""
    return dict(getattr(model, "personal_data", {}) or {})


def undeclared_personal_fields(
    models_: Iterable[type[models.Model]] | None = None,
) -> list[str]:
    """Labels of fields that hold personal data but are neither declared nor explained."""
    missing = []
    for model in _project_models(models_):
        declared = declarations_of(model)
        explained = getattr(model, "not_personal", {}) or {}
        for model_field in model._meta.concrete_fields:
            if model_field.name in declared:
                continue
            if model_field.name in explained and not isinstance(
                model_field, EncryptedFieldMixin | BlindIndexField
            ):
                continue
            if looks_personal(model_field):
                missing.append(f"{model._meta.label}.{model_field.name}")
    return missing


def declarations_without_field(models_: Iterable[type[models.Model]] | None = None) -> list[str]:
    """Labels of declarations that name no field of their model (a typo, or a removed field)."""
    stale = []
    for model in _project_models(models_):
        names = {f.name for f in model._meta.get_fields()}
        stale += [f"{model._meta.label}.{n}" for n in declarations_of(model) if n not in names]
    return stale


def inventory(models_: Iterable[type[models.Model]] | None = None) -> list[InventoryEntry]:
    """Every declared personal field of the project, in model then field order."""
    return [
        InventoryEntry(model, name, declaration)
        for model in _project_models(models_)
        for name, declaration in declarations_of(model).items()
    ]


@checks.register(checks.Tags.models)
def check_inventory(app_configs: object = None, **kwargs: object) -> list[checks.CheckMessage]:
    """Refuse to start while a personal field is undeclared or a declaration is stale."""
    errors = [
        checks.Error(
            f"{label} holds personal data but is not declared in the data inventory.",
            hint="Add it to the model's personal_data (or to not_personal, with the reason).",
            id="vault.E010",
        )
        for label in undeclared_personal_fields()
    ]
    errors += [
        checks.Error(f"{label} is declared in the data inventory but is no field.", id="vault.E011")
        for label in declarations_without_field()
    ]
    return errors
