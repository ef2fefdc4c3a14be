"""How each model's rows end: at the person's erasure, and by the scheduled retention purge.

A model that holds personal data declares both, next to its ``personal_data``::

    erasure = Erasure(OnErasure.DELETE, subject="user")
    purges = (
        Purge("api_tokens", after=_("when it expires"), older_than=("expires_at",),
              period=timedelta(0)),
    )

The privacy app walks these declarations (``erasure_declarations``, ``purge_declarations``) and
applies them; no app reaches another app's tables by name. A custom action is a function of the
model's own app, named by its dotted path (``"lumeire.orders.services.order_forget"``), so the
declaring app keeps the deletion in its own service. System checks ``vault.E012`` to ``vault.E015``
refuse a declaration that cannot work.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from functools import reduce
from operator import or_

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import checks
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q
from django.utils.functional import Promise
from django.utils.module_loading import import_string

from lumeire.vault.fields import BlindIndexField, EncryptedFieldMixin


class OnErasure(StrEnum):
    """What erasing a person does to a model's rows."""

    # The rows exist only for the person: they are deleted.
    DELETE = "delete"
    # The rows stay; their personal values are sealed with the person's key, which is shredded.
    SHRED = "shred"
    # The rows stay as records the store must keep; the fields in ``blank`` are overwritten.
    ANONYMISE = "anonymise"
    # The rows stay unchanged for a stated reason (a legal duty, or no link to any account).
    RETAIN = "retain"


STANDARD_ACTIONS = frozenset(OnErasure)


@dataclass(frozen=True)
class Erasure:
    """A model's erasure: an ``OnErasure`` action or the dotted path of its app's own function.

    ``subject`` leads from a row to the person's account id (``"user"``, ``"case__subject"``,
    ``"pk"``); ``blank`` gives ANONYMISE its values; ``reason`` says why RETAIN keeps rows.
    """

    action: OnErasure | str
    subject: str = ""
    blank: Mapping[str, object] = field(default_factory=dict)
    reason: str | Promise = ""

    @property
    def is_custom(self) -> bool:
        return self.action not in STANDARD_ACTIONS

    def apply(self, model: type[models.Model], *, subject_id: uuid.UUID, now: datetime) -> int:
        """Carry out this erasure on the model's rows of one person; return the rows changed."""
        if self.is_custom:
            return int(import_string(str(self.action))(subject_id=subject_id, now=now) or 0)
        if self.action in (OnErasure.SHRED, OnErasure.RETAIN):
            return 0
        rows = model._base_manager.filter(**{self.subject: subject_id})
        if self.action == OnErasure.DELETE:
            _deleted, per_model = rows.delete()
            return per_model.get(model._meta.label, 0)
        return rows.update(**dict(self.blank))


@dataclass(frozen=True)
class Purge:
    """One retention rule: rows whose date is older than the period go in the scheduled purge.

    Either ``older_than`` (date fields; any one past ``now - period`` is enough) with optional
    ``where`` lookups, or ``hook``, the dotted path of the app's own purge, ``fn(now=...) -> int``.
    ``period_setting`` names a setting, in days, that overrides ``period``.
    """

    category: str
    after: str | Promise
    period: timedelta | None = None
    period_setting: str = ""
    older_than: tuple[str, ...] = ()
    where: Mapping[str, object] = field(default_factory=dict)
    hook: str = ""

    def current_period(self) -> timedelta | None:
        """The period in force: the setting when one is named and set, else the declared one."""
        if self.period_setting and getattr(settings, self.period_setting, None) is not None:
            return timedelta(days=int(getattr(settings, self.period_setting)))
        return self.period

    def apply(self, model: type[models.Model], *, now: datetime) -> int:
        """Delete the model's rows past this period; return how many of the model's rows went."""
        if self.hook:
            result = import_string(self.hook)(now=now)
            return int(result[0] if isinstance(result, tuple) else result or 0)
        cutoff = now - (self.current_period() or timedelta(0))
        past = reduce(or_, (Q(**{f"{name}__lte": cutoff}) for name in self.older_than))
        rows = model._base_manager.filter(past).filter(**dict(self.where))
        _deleted, per_model = rows.delete()
        return per_model.get(model._meta.label, 0)


# --- Reading the declarations ------------------------------------------------------------------


def _project_models(models_: Iterable[type[models.Model]] | None) -> list[type[models.Model]]:
    if models_ is not None:
        return list(models_)
    return [m for m in apps.get_models() if m.__module__.startswith("lumeire.")]


def erasure_of(model: type[models.Model]) -> Erasure | None:
    """The model's erasure declaration, if it has one."""
    declared = getattr(model, "erasure", None)
    return declared if isinstance(declared, Erasure) else None


def purges_of(model: type[models.Model]) -> tuple[Purge, ...] | None:
    """The model's purges; None when it declares none at all (``()`` is a declaration)."""
    declared = getattr(model, "purges", None)
    return tuple(declared) if isinstance(declared, tuple | list) else None


def erasure_declarations(
    models_: Iterable[type[models.Model]] | None = None,
) -> list[tuple[type[models.Model], Erasure]]:
    """Every model that declares an erasure, in registry order."""
    return [(m, e) for m in _project_models(models_) if (e := erasure_of(m)) is not None]


def purge_declarations(
    models_: Iterable[type[models.Model]] | None = None,
) -> list[tuple[type[models.Model], Purge]]:
    """Every declared purge with its model, in registry order."""
    return [(m, p) for m in _project_models(models_) for p in purges_of(m) or ()]


def _points_at_user(model_field: models.Field) -> bool:
    remote = getattr(model_field, "related_model", None)
    return bool(model_field.many_to_one or model_field.one_to_one) and remote is get_user_model()


def holds_personal_data(model: type[models.Model]) -> bool:
    """Whether a model keeps anything about a person: declared fields, sealed or blind-indexed
    values, or a link to an account."""
    if getattr(model, "personal_data", None):
        return True
    if model is get_user_model():
        return True
    return any(
        isinstance(f, EncryptedFieldMixin | BlindIndexField) or _points_at_user(f)
        for f in model._meta.concrete_fields
    )


def undeclared_lifecycles(models_: Iterable[type[models.Model]] | None = None) -> list[str]:
    """Labels of models holding personal data that do not say how their rows end."""
    missing = []
    for model in _project_models(models_):
        if not holds_personal_data(model) or model._meta.abstract:
            continue
        if erasure_of(model) is None:
            missing.append(f"{model._meta.label} (erasure)")
        if purges_of(model) is None:
            missing.append(f"{model._meta.label} (purges)")
    return missing


# --- Checks ------------------------------------------------------------------------------------


def _lookup_resolves(model: type[models.Model], lookup: str) -> bool:
    current = model
    for part in lookup.split("__"):
        if part == "pk":
            return True
        try:
            model_field = current._meta.get_field(part)
        except FieldDoesNotExist:
            return False
        if model_field.is_relation and model_field.related_model is not None:
            current = model_field.related_model
    return True


def _own_function(model: type[models.Model], path: str) -> Callable | None:
    """The function a dotted path names, only if it lives in the model's own app."""
    app_module = model._meta.app_config.name
    if not path.startswith(f"{app_module}."):
        return None
    try:
        found = import_string(path)
    except ImportError:
        return None
    return found if callable(found) else None


def _erasure_problems(model: type[models.Model], erasure: Erasure) -> list[str]:
    label = model._meta.label
    problems = []
    if erasure.is_custom:
        if _own_function(model, str(erasure.action)) is None:
            problems.append(
                f"{label}: erasure {erasure.action!r} is no function of the model's own app."
            )
        return problems
    if erasure.action in (OnErasure.DELETE, OnErasure.ANONYMISE) and not erasure.subject:
        problems.append(f"{label}: erasure {erasure.action} needs the subject lookup.")
    if erasure.subject and not _lookup_resolves(model, erasure.subject):
        problems.append(f"{label}: erasure subject {erasure.subject!r} is no field.")
    if erasure.action == OnErasure.ANONYMISE and not erasure.blank:
        problems.append(f"{label}: erasure anonymise needs the fields to blank.")
    for name in erasure.blank:
        if not _lookup_resolves(model, name):
            problems.append(f"{label}: erasure blanks {name!r}, which is no field.")
    if erasure.action == OnErasure.RETAIN and not erasure.reason:
        problems.append(f"{label}: erasure retain needs the reason rows are kept.")
    return problems


def _purge_problems(model: type[models.Model], purge: Purge) -> list[str]:
    label = model._meta.label
    if purge.hook:
        if _own_function(model, purge.hook) is None:
            return [f"{label}: purge hook {purge.hook!r} is no function of the model's own app."]
        return []
    problems = []
    if not purge.older_than:
        problems.append(f"{label}: purge {purge.category!r} names no date field.")
    for name in (*purge.older_than, *(k.split("__")[0] for k in purge.where)):
        if not _lookup_resolves(model, name):
            problems.append(f"{label}: purge {purge.category!r} reads {name!r}, no field.")
    if purge.period is None and not purge.period_setting:
        problems.append(f"{label}: purge {purge.category!r} has no period.")
    return problems


def lifecycle_problems(
    models_: Iterable[type[models.Model]] | None = None,
) -> list[tuple[str, str]]:
    """``(check id, message)`` for every missing or unworkable erasure and purge declaration."""
    problems = [
        ("vault.E012", f"{label} holds personal data but does not declare how its rows end.")
        for label in undeclared_lifecycles(models_)
    ]
    for model, erasure in erasure_declarations(models_):
        problems += [("vault.E013", text) for text in _erasure_problems(model, erasure)]
    for model, purge in purge_declarations(models_):
        problems += [("vault.E014", text) for text in _purge_problems(model, purge)]
    return problems


@checks.register(checks.Tags.models)
def check_lifecycles(app_configs: object = None, **kwargs: object) -> list[checks.CheckMessage]:
    """Refuse to start while a model with personal data cannot be erased or purged as declared."""
    return [
        checks.Error(
            text,
            hint="Declare `erasure = Erasure(...)` and `purges = (...)` on the model; see "
            "lumeire.vault.lifecycle.",
            id=check_id,
        )
        for check_id, text in lifecycle_problems()
    ]
