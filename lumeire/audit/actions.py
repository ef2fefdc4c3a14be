"""What the audit log can say happened: the actions each app declares, and the mechanism alone here.

The audit app is a leaf: it knows no other app's words. An app that records something lists its
actions as a ``TextChoices`` in its own ``audit_actions.py`` and hands it to ``register_actions``;
the audit app imports every installed app's ``audit_actions`` module when Django starts
(``apps.py``), so the log's pages, filters and the customer's access log see every action with
its translated label. The stored value is the action's value, so renaming a class or moving an
action between apps changes no entry and no hash.

``AuditAction`` reads the whole vocabulary: ``AuditAction("reveal")`` checks a value,
``AuditAction.REVEAL`` finds an action by name, and iterating it lists every action.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.core.exceptions import ImproperlyConfigured
from django.db import models

# The width of AuditEntry.action.
ACTION_MAX_LENGTH = 32


class AuditActionRegistry:
    """Every registered action by value and by name; one instance, ``AuditAction``."""

    def __init__(self) -> None:
        self._by_value: dict[str, models.Choices] = {}
        self._by_name: dict[str, models.Choices] = {}
        self._shown_to_customer: set[str] = set()

    def register(
        self, choices: type[models.TextChoices], *, shown_to_customer: Iterable[str] = ()
    ) -> type[models.TextChoices]:
        """Add an app's actions; ``shown_to_customer`` are the ones listed on the customer's
        "who looked at my data" (a staff look at their personal values)."""
        members = list(choices)
        for member in members:
            for index, key in ((self._by_value, member.value), (self._by_name, member.name)):
                known = index.get(key)
                if known is not None and known is not member:
                    raise ImproperlyConfigured(
                        f"Audit action {key!r} of {choices.__module__}.{choices.__qualname__} is "
                        f"already declared by {type(known).__module__}.{type(known).__qualname__}."
                    )
            if len(member.value) > ACTION_MAX_LENGTH:
                raise ImproperlyConfigured(
                    f"Audit action {member.value!r} is longer than {ACTION_MAX_LENGTH} characters."
                )
        shown = {str(value) for value in shown_to_customer}
        if not shown <= {member.value for member in members}:
            raise ImproperlyConfigured("shown_to_customer names actions of the same class only.")
        # Checked whole before any is added: a refused class leaves the vocabulary as it was.
        for member in members:
            self._by_value[member.value] = member
            self._by_name[member.name] = member
        self._shown_to_customer |= shown
        return choices

    def __call__(self, value: str) -> models.Choices:
        """The registered action with this value; ValueError for any other."""
        try:
            return self._by_value[str(value)]
        except KeyError:
            raise ValueError(f"{value!r} is not a registered audit action") from None

    def __getattr__(self, name: str) -> models.Choices:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self._by_name[name]
        except KeyError:
            raise AttributeError(f"no audit action is named {name}") from None

    def __iter__(self) -> Iterator[models.Choices]:
        return iter(list(self._by_value.values()))

    def __contains__(self, value: object) -> bool:
        return str(value) in self._by_value

    def __len__(self) -> int:
        return len(self._by_value)

    @property
    def values(self) -> list[str]:
        return list(self._by_value)

    @property
    def choices(self) -> list[tuple[str, str]]:
        return [(member.value, member.label) for member in self._by_value.values()]

    @property
    def shown_to_customer(self) -> frozenset[str]:
        """The actions a customer's access log lists: staff looks at their personal values."""
        return frozenset(self._shown_to_customer)


AuditAction = AuditActionRegistry()


def register_actions(
    choices: type[models.TextChoices], *, shown_to_customer: Iterable[str] = ()
) -> type[models.TextChoices]:
    """Declare an app's audit actions (call it in the app's ``audit_actions.py``)."""
    return AuditAction.register(choices, shown_to_customer=shown_to_customer)


def action_choices() -> list[tuple[str, str]]:
    """The choices of ``AuditEntry.action``: every registered action, read when asked."""
    return AuditAction.choices
