"""The parts of the privacy policy that are generated from the running system.

A stored section body may hold markers on a line of their own (``[[kept_data]]``,
``[[who_can_see]]``, ``[[protection]]``, ``[[cookies]]``, ``[[rules_link]]``). They are replaced
at render time from the data inventory, the roles, the settings and the cookie registry, so the
published words can never drift from what the code does. Every generated part is plain text in
the same small markup as the stored text (paragraphs, "1." and "-" lines): the storefront
escapes it like the rest.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import get_hasher
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lumeire.privacy.cookies import registry
from lumeire.privacy.models import PolicyVersion
from lumeire.privacy.selectors import FIELD_LABELS
from lumeire.staff.access import ROLE_PERMISSIONS, Permission
from lumeire.staff.roles import Role
from lumeire.staff.sessions import STAFF_IDLE_SECONDS
from lumeire.vault.inventory import Category, InventoryEntry, PolicyClause, Retention, inventory
from lumeire.vault.keyring import KEY_BYTES

MARKER = re.compile(r"^\s*\[\[([a-z_]+)\]\]\s*$")


def _days(period: timedelta) -> str:
    days = period.days
    if days and days % 365 == 0:
        years = days // 365
        return ngettext("%(count)d year", "%(count)d years", years) % {"count": years}
    if days:
        return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}
    hours = max(1, int(period.total_seconds() // 3600))
    return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}


def retention_text(retention: Retention) -> str:
    """A period and its event ("180 days after the attempt"), or the event alone."""
    if retention.period is None:
        return str(retention.after)
    return _("%(period)s %(after)s") % {
        "period": _days(retention.period),
        "after": retention.after,
    }


def _field_label(entry: InventoryEntry) -> str:
    known = FIELD_LABELS.get(entry.field_name)
    if known is not None:
        return str(known)
    field = entry.model._meta.get_field(entry.field_name)
    label = str(getattr(field, "verbose_name", entry.field_name) or entry.field_name)
    return label[:1].upper() + label[1:]


def kept_data() -> str:
    """Every declared personal field, grouped as section "First" groups them."""
    entries = inventory()
    blocks: list[str] = []
    for clause in PolicyClause:
        in_clause = [entry for entry in entries if entry.declaration.policy_clause == clause]
        if not in_clause:
            continue
        lines = [f"{clause.label}:", ""]
        for entry in in_clause:
            declaration = entry.declaration
            lines.append(
                "- "
                + _("%(field)s (%(record)s, %(category)s): %(purpose)s. Kept: %(retention)s.")
                % {
                    "field": _field_label(entry),
                    "record": entry.model._meta.verbose_name,
                    "category": Category(declaration.category).label,
                    "purpose": str(declaration.purpose).rstrip(". "),
                    "retention": retention_text(declaration.retention).rstrip(". "),
                }
            )
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def _categories_revealed_by(role: Role) -> list[str]:
    seen: list[Category] = []
    for entry in inventory():
        category = Category(entry.declaration.category)
        if role.value in entry.declaration.reveal_roles and category not in seen:
            seen.append(category)
    return [str(category.label) for category in Category if category in seen]


def who_can_see() -> str:
    """Each staff role, and the kinds of data it may reveal (the inventory's reveal_roles)."""
    lines = []
    for role in Role:
        categories = _categories_revealed_by(role)
        permissions = ROLE_PERMISSIONS[role]
        masked = {Permission.CUSTOMERS_VIEW, Permission.ORDERS_VIEW} & permissions
        if categories:
            text = _("%(role)s: may reveal %(categories)s, each time with a reason.") % {
                "role": role.label,
                "categories": ", ".join(categories),
            }
        elif masked:
            text = _("%(role)s: sees customers and orders masked, never in clear.") % {
                "role": role.label
            }
        else:
            text = _("%(role)s: sees no personal information.") % {"role": role.label}
        lines.append(f"- {text}")
    lines += [
        "",
        _(
            "Everything else is shown masked. Each reveal is recorded, and you can see who "
            "looked at your data, with their role, on the page “Who looked at my data” in your "
            "account."
        ),
    ]
    return "\n".join(lines)


def _password_hashing() -> str:
    hasher = get_hasher("default")
    if hasher.algorithm.startswith("argon2"):
        return _(
            "Argon2id with %(memory)d MiB of memory, %(passes)d passes and %(lanes)d lanes"
        ) % {
            "memory": hasher.memory_cost // 1024,
            "passes": hasher.time_cost,
            "lanes": hasher.parallelism,
        }
    iterations = getattr(hasher, "iterations", None)
    if iterations:
        return _("%(algorithm)s with %(iterations)d iterations") % {
            "algorithm": hasher.algorithm.upper(),
            "iterations": iterations,
        }
    return hasher.algorithm


def _minutes(value: object) -> int:
    if isinstance(value, timedelta):
        return int(value.total_seconds() // 60)
    return int(float(value or 0) * 60)  # django-axes reads a bare number as hours


def protection() -> str:
    """The real measures, read from the configuration the store is running with."""
    hashing = _password_hashing()
    lines = [
        _(
            "Your personal details are encrypted with AES-%(bits)d-GCM before they reach the "
            "database, each customer's under a data key of their own. Deleting your account "
            "destroys that key, so every copy of those values, backups included, becomes "
            "unreadable."
        )
        % {"bits": KEY_BYTES * 8},
        _("Email addresses and identity numbers are found only through keyed hashes."),
        _("Passwords are kept only as one-way hashes: %(hashing)s.") % {"hashing": hashing},
        _("Answers to recovery questions are hashed the same way: %(hashing)s.")
        % {"hashing": hashing},
    ]
    if getattr(settings, "SECURE_SSL_REDIRECT", False):
        hsts = int(getattr(settings, "SECURE_HSTS_SECONDS", 0) or 0)
        if hsts:
            lines.append(
                _(
                    "Every page is served over HTTPS only, and browsers are told to refuse an "
                    "unencrypted connection to the store for %(days)d days (HSTS)."
                )
                % {"days": hsts // 86400}
            )
        else:
            lines.append(_("Every page is served over HTTPS only."))
    failures = int(getattr(settings, "AXES_FAILURE_LIMIT", 0) or 0)
    if failures:
        lines.append(
            _(
                "After %(failures)d failed sign-ins for one account or from one address, signing "
                "in is locked for %(minutes)d minutes."
            )
            % {"failures": failures, "minutes": _minutes(getattr(settings, "AXES_COOLOFF_TIME", 0))}
        )
    lines += [
        _(
            "Staff sign in with a password and a one-time code from an authenticator app, and "
            "their sessions end after %(minutes)d minutes without activity."
        )
        % {"minutes": STAFF_IDLE_SECONDS // 60},
        _(
            "Every reveal of a personal value by staff, every export and every change of roles is "
            "written to an audit log that can only grow; each entry is chained to the previous "
            "one with SHA-256, so a change to the past would show."
        ),
    ]
    return "\n".join(f"- {line}" for line in lines)


def _cookie_lifetime(lifetime: timedelta | None) -> str:
    if lifetime is None:
        return _("until you close the browser")
    return _days(lifetime)


def cookies() -> str:
    """Every cookie the store can set, with its purpose, lifetime and whether it is optional."""
    lines = []
    for spec in registry():
        kind = _("essential") if spec.essential else _("optional, only with your consent")
        values = {
            "name": spec.name,
            "kind": kind,
            "lifetime": _cookie_lifetime(spec.lifetime),
            "purpose": spec.purpose,
        }
        lines.append("- " + _("%(name)s (%(kind)s, kept %(lifetime)s): %(purpose)s") % values)
    return "\n".join(lines)


def rules_link() -> str:
    """Where the rules live: this very page, by its address in the active language."""
    try:
        address = reverse("storefront:privacy")
    except NoReverseMatch:
        address = "/privacy/"
    return _("These rules are the Privacy and Confidentiality Policy published at %(address)s.") % {
        "address": address
    }


GENERATORS: dict[str, Callable[[], str]] = {
    "kept_data": kept_data,
    "who_can_see": who_can_see,
    "protection": protection,
    "cookies": cookies,
    "rules_link": rules_link,
}


def render_body(body: str) -> str:
    """Replace each marker line by its generated text; unknown markers are left out."""
    lines = []
    for line in (body or "").splitlines():
        match = MARKER.match(line)
        if match is None:
            lines.append(line)
            continue
        generator = GENERATORS.get(match[1])
        if generator is not None:
            lines.append(generator())
    return "\n".join(lines)


def rendered_sections(policy: PolicyVersion, language: str) -> list[dict[str, str]]:
    """The policy's sections in ``language``, with every generated part filled in."""
    with translation.override(language):
        return [
            {**section, "body": render_body(section["body"])}
            for section in policy.sections_in(language)
        ]
