"""The access model in words: the README's role table and the policy's "who may see what".

Both are generated here from ``lumeire.staff.access`` and nowhere else, so what the store
publishes about its staff is what the services enforce: ``manage.py roles_table`` prints the
table, a test compares it with the README, and the policy's ``[[who_can_see]]`` marker is
replaced by ``who_may_see``.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lumeire.staff.access import (
    CLEAR_GRANTS,
    ROLE_PERMISSIONS,
    ClearGrant,
    Permission,
    Way,
)
from lumeire.staff.roles import Role

P = Permission
# Each act in words, in the order the table lists them.
ACT_LABELS: dict[Permission, Promise] = {
    P.CATALOGUE_MANAGE: gettext_lazy(
        "categories, products, variants, photos, stock, search synonyms and home page banners"
    ),
    P.ORDERS_VIEW: gettext_lazy("view orders"),
    P.ORDERS_MARK_PAID: gettext_lazy("mark cash orders paid"),
    P.ORDERS_FULFIL: gettext_lazy("pack, ship (with a tracking number) and deliver orders"),
    P.ORDERS_CANCEL: gettext_lazy("cancel orders"),
    P.ORDERS_REFUND: gettext_lazy("refund card orders"),
    P.ORDERS_EXPORT: gettext_lazy("export orders as CSV"),
    P.CUSTOMERS_VIEW: gettext_lazy("view customers (masked)"),
    P.CUSTOMERS_SEARCH: gettext_lazy(
        "find customers by exact order number, and by the values the next column says"
    ),
    P.SHIPPING_MANAGE: gettext_lazy("delivery options"),
    P.AUDIT_VIEW: gettext_lazy("read the audit log"),
    P.STAFF_MANAGE: gettext_lazy("staff accounts (none in the back office yet)"),
    P.AGGREGATES_VIEW: gettext_lazy("aggregate reports (none yet)"),
    P.POLICY_MANAGE: gettext_lazy("draft, compare and publish privacy policy versions"),
    P.CASES_VIEW: gettext_lazy("read irregular-activity cases and add notes"),
    P.CASES_WORK: gettext_lazy(
        "work cases (review, protective actions, ask legal counsel, generate and send the report)"
    ),
    P.CASES_DECIDE: gettext_lazy(
        "decide on reports (approve, with the data the report may carry, or dismiss)"
    ),
}

# Each way of seeing a value in clear, in words, in the order the texts list them.
WAY_LABELS: dict[Way, Promise] = {
    Way.REVEAL: gettext_lazy("reveals one record at a time, each time with a reason"),
    Way.AT_WORK: gettext_lazy("sees on the page of its work, each view recorded"),
    Way.EXPORT: gettext_lazy(
        "exports in clear with a reason, each customer in the export told on “Who looked at my "
        "data”"
    ),
    Way.SEARCH: gettext_lazy("finds a customer by the exact value"),
    Way.CASE: gettext_lazy("reads in the irregular-activity cases it works on"),
}
MASKED_VIEWS = frozenset({P.CUSTOMERS_VIEW, P.ORDERS_VIEW})


def _value_text(grant: ClearGrant) -> str:
    text = str(grant.values.label)
    if grant.states_label is not None:
        text = _("%(values)s (%(states)s)") % {"values": text, "states": grant.states_label}
    return text


def role_acts(role: Role) -> str:
    """What a role may do, in words."""
    acts = [
        str(label)
        for permission, label in ACT_LABELS.items()
        if permission in ROLE_PERMISSIONS[role]
    ]
    return "; ".join(acts) if acts else str(_("nothing in the back office"))


def role_clear_values(role: Role) -> str:
    """What a role may see in clear, and how, in words; empty when nothing."""
    sentences = []
    for way, label in WAY_LABELS.items():
        values = [_value_text(grant) for grant in CLEAR_GRANTS[role] if way in grant.ways]
        if values:
            sentences.append(f"{capfirst(str(label))}: {'; '.join(values)}.")
    return " ".join(sentences)


def role_clear_summary(role: Role) -> str:
    """``role_clear_values``, or what the role sees when it sees nothing in clear."""
    text = role_clear_values(role)
    if text:
        return text
    if MASKED_VIEWS & ROLE_PERMISSIONS[role]:
        return str(_("Nothing: customers and orders only masked."))
    return str(_("Nothing, ever."))


def roles_table() -> str:
    """The README's role table (Markdown), one row per role."""
    lines = [
        "| role | may do | personal values in clear |",
        "| --- | --- | --- |",
    ]
    for role in Role:
        cells = (str(role.label), role_acts(role), role_clear_summary(role))
        lines.append("| " + " | ".join(cell.replace("|", "/") for cell in cells) + " |")
    return "\n".join(lines) + "\n"


def who_may_see() -> str:
    """The policy's paragraph: each role and what it may see in clear, then how looks show."""
    lines = []
    for role in Role:
        text = role_clear_values(role)
        if not text:
            if MASKED_VIEWS & ROLE_PERMISSIONS[role]:
                text = _("sees customers and orders masked, never in clear.")
            else:
                text = _("sees no personal information.")
        lines.append(f"- {role.label}: {text}")
    lines += [
        "",
        _(
            "Everything else is shown masked. Each reveal, each view of a delivery address, "
            "each export in clear and each search by national ID number or residence number "
            "(iqama) is recorded, and you can "
            "see it, with the staff member's role, on the page “Who looked at my data” in your "
            "account. Reading an irregular-activity case is recorded in the audit log only: a "
            "report to the authorities may follow, and the law lets the store keep it from you."
        ),
    ]
    return "\n".join(lines)


README_START = "<!-- roles-table -->"
README_END = "<!-- /roles-table -->"


def table_in_readme(text: str) -> str | None:
    """The text between the README's role-table markers, or None when they are missing."""
    start = text.find(README_START)
    end = text.find(README_END)
    if start < 0 or end < start:
        return None
    return text[start + len(README_START) : end].lstrip("\n")
