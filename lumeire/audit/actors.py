"""Who acted, as the audit log records it: a kind, an account id and role values, never a name.

Roles belong to the staff app, which the audit app (a leaf) may not import: the staff app tells
the log how to read a staff member's role values with ``register_role_reader`` when Django
starts. Without a reader, staff entries carry no roles.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable

from lumeire.audit.models import ActorKind

RoleReader = Callable[[object], Iterable[str]]
_role_reader: RoleReader | None = None


def register_role_reader(reader: RoleReader) -> None:
    """Name the function that lists a staff account's role values (the staff app calls it)."""
    global _role_reader  # one reader, set once at start-up
    _role_reader = reader


def actor_columns(actor, actor_roles: Iterable[str] | None) -> tuple[str, uuid.UUID | None, str]:
    """The actor as kind, account id and comma-joined role values; None is the store itself."""
    if actor is None:
        return ActorKind.SYSTEM, None, ""
    kind = str(getattr(actor, "kind", "") or "")
    if kind not in (ActorKind.STAFF, ActorKind.CUSTOMER):
        kind = ActorKind.STAFF if getattr(actor, "is_staff", False) else ActorKind.CUSTOMER
    if actor_roles is None:
        reads_roles = kind == ActorKind.STAFF and actor.pk is not None and _role_reader
        actor_roles = _role_reader(actor) if reads_roles else ()
    roles = ",".join(sorted({str(role) for role in actor_roles}))
    return kind, uuid.UUID(str(actor.pk)), roles
