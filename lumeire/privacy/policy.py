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
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from lumeire.privacy.cookies import lifetime_words, registry
from lumeire.privacy.models import PolicyVersion
from lumeire.privacy.selectors import FIELD_LABELS
from lumeire.staff.describe import who_may_see
from lumeire.staff.sessions import STAFF_IDLE_SECONDS
from lumeire.vault.inventory import (
    Category,
    InventoryEntry,
    PersonalData,
    PolicyClause,
    Retention,
    inventory,
)
from lumeire.vault.keyring import KEY_BYTES
from lumeire.vault.lifecycle import purge_declarations

MARKER = re.compile(r"^\s*\[\[([a-z_]+)\]\]\s*$")
# The category of the orders' guest schedule (lumeire.orders.models.Order.purges).
GUEST_ORDERS_PURGE = "guest_orders"


def retention_text(retention: Retention) -> str:
    """A period and its event ("180 days after the attempt"), or the event alone."""
    if retention.period is None:
        return str(retention.after)
    return _("%(period)s %(after)s") % {
        "period": lifetime_words(retention.period),
        "after": retention.after,
    }


# The store's identity number, in the words of the policy's first clause (iqama: the residence
# permit of a resident who is not a citizen).
IDENTITY_NUMBER = gettext_lazy("National ID number or residence number (iqama)")
KEYED_IDENTITY_NUMBER = gettext_lazy(
    "Keyed hash of the national ID number or residence number (iqama)"
)
KEYED_NETWORK_ADDRESS = gettext_lazy("Keyed hash of the network address")

# How the policy names a stored field, by "app.Model.field" first, then by field name; a field
# found in neither is named by FIELD_LABELS (the access log's words) or its verbose name. The
# policy names what a field holds for the customer, never the model or the column it lives in.
POLICY_NAMES: dict[str, Promise] = {
    "identity_number": IDENTITY_NUMBER,
    "accounts.IdentityNumberChange.new_identity_number": gettext_lazy(
        "New national ID number or residence number (iqama)"
    ),
    "identity_index": KEYED_IDENTITY_NUMBER,
    "index_ref": KEYED_IDENTITY_NUMBER,
    "username_index": gettext_lazy("Keyed hash of the username"),
    "email_index": gettext_lazy("Keyed hash of the email address"),
    "login_ref": gettext_lazy("Keyed hash of the username or email address typed to sign in"),
    "client_ref": KEYED_NETWORK_ADDRESS,
    "client_hash": KEYED_NETWORK_ADDRESS,
    "recovery_question": gettext_lazy("Recovery question"),
    "recovery_answer_hash": gettext_lazy("One-way hash of the recovery answer"),
    "password_hash": gettext_lazy("One-way hash of the password"),
    "new_email": gettext_lazy("New email address"),
    "accounts.TwoFactorDevice.secret": gettext_lazy("Secret of the authenticator app"),
    "card_token": gettext_lazy("Reference of the card at the payment provider"),
    "orders.Order.guest_email": gettext_lazy("Email address given for an order placed as a guest"),
    "compliance.Case.legal_summary": gettext_lazy("Summary of a case for the legal department"),
    "compliance.Case.legal_opinion": gettext_lazy("Opinion of the legal department on a case"),
    "compliance.CaseEvent.text": gettext_lazy("Notes of staff on a case"),
    "compliance.ReportFile.sealed": gettext_lazy("Sealed report sent to the competent authorities"),
}


def field_name_in_policy(entry: InventoryEntry) -> str:
    """What the policy calls a declared field, in the active language."""
    named = POLICY_NAMES.get(entry.label, POLICY_NAMES.get(entry.field_name))
    if named is None:
        named = FIELD_LABELS.get(entry.field_name)
    if named is not None:
        return str(named)
    field = entry.model._meta.get_field(entry.field_name)
    label = str(getattr(field, "verbose_name", entry.field_name) or entry.field_name)
    return label[:1].upper() + label[1:]


def _lowered(name: str) -> str:
    """A name inside a sentence: "Full name" becomes "full name", "SHA-256" stays."""
    return name[:1].lower() + name[1:] if name[1:2].islower() else name


def names_in_words(names: list[str]) -> str:
    """The names as one phrase ("Full name, mobile number and city"), in the active language."""
    if len(names) == 1:
        return names[0]
    names = [names[0], *(_lowered(name) for name in names[1:])]
    head = pgettext("between the names of a list", ", ").join(names[:-1])
    return _("%(names)s and %(last)s") % {"names": head, "last": names[-1]}


def _same_line(declaration: PersonalData) -> tuple[str, str, str]:
    # Fields kept for the same reason, of the same kind and for as long, share one line.
    return (
        str(declaration.category),
        str(declaration.purpose),
        retention_text(declaration.retention),
    )


def kept_data() -> str:
    """Every declared personal field, grouped as section "First" groups them."""
    entries = inventory()
    blocks: list[str] = []
    for clause in PolicyClause:
        in_clause = [entry for entry in entries if entry.declaration.policy_clause == clause]
        if not in_clause:
            continue
        grouped: dict[tuple[str, str, str], list[InventoryEntry]] = {}
        for entry in in_clause:
            grouped.setdefault(_same_line(entry.declaration), []).append(entry)
        lines = [f"{clause.label}:", ""]
        for same in grouped.values():
            declaration = same[0].declaration
            names = list(dict.fromkeys(field_name_in_policy(entry) for entry in same))
            lines.append(
                "- "
                + _("%(fields)s: %(purpose)s. Kind: %(category)s. Kept: %(retention)s.")
                % {
                    "fields": names_in_words(names),
                    "category": Category(declaration.category).label,
                    "purpose": str(declaration.purpose).rstrip(". "),
                    "retention": retention_text(declaration.retention).rstrip(". "),
                }
            )
        blocks.append("\n".join(lines))
    if guest := guest_orders():
        blocks.append(guest)
    return "\n\n".join(blocks)


def guest_orders() -> str:
    """What an order placed without an account keeps, and for how long (the guest schedule)."""
    # Read from the orders' declared guest schedule, which the retention pass applies.
    periods = [
        purge.current_period()
        for _model, purge in purge_declarations()
        if purge.category == GUEST_ORDERS_PURGE
    ]
    if not periods or periods[0] is None:
        return ""
    period = lifetime_words(periods[0])
    lines = [
        _(
            "An order placed as a guest keeps only what its delivery and its receipt need: the "
            "email address, the recipient's name and mobile number, and the delivery address. "
            "They are encrypted with a data key of the order's own, and used only to deliver "
            "the order, to send its receipt and the link to it, and to reach you about it."
        ),
        _(
            "They are erased %(period)s after the order is delivered, cancelled or refunded: "
            "the order's key is destroyed, so every copy of them, backups included, becomes "
            "unreadable, and the order's link stops working."
        )
        % {"period": period},
        _(
            "What stays after that is the sale itself (the order number, the products, the "
            "prices, the VAT, the delivery option and the invoice), which the tax rules oblige "
            "the store to keep; it names no one."
        ),
        _(
            "A guest is never asked for a date of birth, a national ID or residence number "
            "(iqama) or a password; "
            "products sold only above an age need an account, where the age is checked."
        ),
    ]
    return "\n".join([f"{_('Orders placed as a guest')}:", "", *(f"- {line}" for line in lines)])


def who_can_see() -> str:
    """Each staff role and what it may see in clear, and how: generated by the staff access
    model (the same text as the README's role table), so the policy says what is enforced."""
    return who_may_see()


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
        _(
            "Email addresses, national ID numbers and residence numbers (iqama) are found only "
            "through keyed hashes."
        ),
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


def cookies() -> str:
    """Every cookie the store can set, with its purpose, lifetime and whether it is optional."""
    lines = []
    for spec in registry():
        kind = _("essential") if spec.essential else _("optional, only with your consent")
        values = {
            "name": spec.name,
            "kind": kind,
            "lifetime": spec.lifetime_text,  # the cookie settings page prints the same
            "purpose": str(spec.purpose).rstrip(". "),
        }
        lines.append("- " + _("%(name)s (%(kind)s): %(purpose)s. Kept: %(lifetime)s.") % values)
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
