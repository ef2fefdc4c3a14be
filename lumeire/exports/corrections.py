"""Correcting what the export shows: where each part is changed in My account, or why it is not.

The right to rectification: every section of ``data.json`` and every field of its profile is
either changed by the customer on a page of My account, or is a record of something that
happened (an order, a consent given, a sign-in, a staff member's look at the data), which is not
rewritten afterwards; the export's ``index.html`` and the matching page of My account then say
why, and how to have a mistake put right. A section added to the export without an entry here
fails ``tests/test_correction_map.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# Keys of data.json about the file itself, not about the customer.
ABOUT_THE_FILE = frozenset({"schema", "schema_version", "generated_at", "language", "store"})


@dataclass(frozen=True)
class Correction:
    """Where a part of the export is seen in My account, and whether the customer changes it.

    ``page`` is the URL name of that page and ``where`` its name as the customer knows it. A
    record that is not changed has a ``note``: why, and how a mistake in it is put right. A part
    the customer changes may carry a note too (a past cookie choice stays as it was given).
    """

    title: Promise
    page: str
    where: Promise
    editable: bool
    note: Promise | None = None

    def __post_init__(self) -> None:
        if not self.editable and self.note is None:
            raise ValueError("a record that is not changed must say why")


ORDERS_NOTE = _(
    "Orders and their invoices are records of a sale and are not changed afterwards. Until we "
    "pack your parcel you can cancel an order yourself; if anything else in an order is wrong, "
    "contact us with its number and we put it right, refunding what you paid too much."
)
PAYMENT_ATTEMPTS_NOTE = _(
    "Card payment attempts record what the card network answered, and are kept to stop card "
    "fraud; they are not changed. If one looks wrong, contact us with the order number."
)
POLICY_ACCEPTANCES_NOTE = _(
    "Each acceptance records which version of the privacy policy you agreed to and when; it is "
    "not changed. When a new version is published you are asked to accept it, and that is "
    "recorded as a new entry."
)
CONSENTS_NOTE = _(
    "Each cookie choice is recorded as you made it and is not changed afterwards. To change your "
    "mind, save new choices in the cookie settings: they apply from then on and are recorded too."
)
PRIVACY_REQUESTS_NOTE = _(
    "A request to delete your account records what you asked and when; it is not changed. "
    "Signing in before the deletion date cancels the deletion, and the cancellation is recorded."
)
SIGN_IN_HISTORY_NOTE = _(
    "Your sign-in history is a security record written at each attempt to sign in to your "
    "account; it is not changed. If you see a sign-in that was not you, change your password and "
    "contact us."
)
ACCESS_LOG_NOTE = _(
    "This log is written by the store's systems each time a staff member sees your details in "
    "full, and no one can change it. If an entry looks wrong, contact us and we look into it."
)
CATEGORIES_NOTE = _(
    "The categories are worked out from the rest of your data; they change when that data does."
)

SECTIONS: dict[str, Correction] = {
    "profile": Correction(
        _("Profile"), "storefront:account", _("My account › Your details"), editable=True
    ),
    "addresses": Correction(
        _("Saved addresses"), "storefront:addresses", _("My account › Saved addresses"), True
    ),
    "orders": Correction(
        _("Orders"), "storefront:orders", _("My account › My orders"), False, ORDERS_NOTE
    ),
    "payment_attempts": Correction(
        _("Card payment attempts"),
        "storefront:orders",
        _("My account › My orders"),
        False,
        PAYMENT_ATTEMPTS_NOTE,
    ),
    "policy_acceptances": Correction(
        _("Privacy policy acceptances"),
        "storefront:account",
        _("My account"),
        False,
        POLICY_ACCEPTANCES_NOTE,
    ),
    "consents": Correction(
        _("Cookie choices"), "storefront:consent", _("Cookie settings"), True, CONSENTS_NOTE
    ),
    "privacy_requests": Correction(
        _("Requests to delete the account"),
        "storefront:erasure_request",
        _("My account › Delete my account"),
        False,
        PRIVACY_REQUESTS_NOTE,
    ),
    "sign_in_history": Correction(
        _("Sign-in history"),
        "storefront:account",
        _("My account › Signing in"),
        False,
        SIGN_IN_HISTORY_NOTE,
    ),
    "access_log": Correction(
        _("Who looked at my data"),
        "storefront:access_log",
        _("My account › Who looked at my data"),
        False,
        ACCESS_LOG_NOTE,
    ),
    "categories": Correction(
        _("Categories of data"),
        "storefront:exports",
        _("My account › Download my data"),
        False,
        CATEGORIES_NOTE,
    ),
}

_DETAILS = _("My account › Your details")
PROFILE_FIELDS: dict[str, Correction] = {
    "username": Correction(_("Username"), "storefront:username_change", _DETAILS, True),
    "email": Correction(_("Email address"), "storefront:email_change", _DETAILS, True),
    "email_confirmed_at": Correction(
        _("Email address confirmed on"),
        "storefront:email_change",
        _DETAILS,
        False,
        _("Set when you open the link sent to a new address."),
    ),
    "pending_email_change": Correction(
        _("New email address waiting for confirmation"),
        "storefront:email_change",
        _DETAILS,
        True,
    ),
    "full_name": Correction(_("Full name"), "storefront:profile_change", _DETAILS, True),
    "date_of_birth": Correction(_("Date of birth"), "storefront:profile_change", _DETAILS, True),
    "identity_number": Correction(
        _("National ID or residence number (iqama)"),
        "storefront:identity_number_change",
        _DETAILS,
        True,
    ),
    "identity_type": Correction(
        _("Kind of national ID or residence number (iqama)"),
        "storefront:identity_number_change",
        _DETAILS,
        False,
        _("Follows from the number: change the number to change it."),
    ),
    "recovery_question": Correction(
        _("Recovery question"), "storefront:recovery_question_change", _DETAILS, True
    ),
    "language": Correction(_("Language of emails"), "storefront:language_change", _DETAILS, True),
    "joined_at": Correction(
        _("Account opened"),
        "storefront:account",
        _DETAILS,
        False,
        _("The day the account was opened: a record, not changed."),
    ),
    "password_changed_at": Correction(
        _("Password last changed"),
        "storefront:password_change",
        _("My account › Signing in"),
        False,
        _("Set each time you change your password."),
    ),
    "two_factor_enabled": Correction(
        _("Two-factor sign-in"), "storefront:two_factor", _("My account › Signing in"), True
    ),
}


def _shown(correction: Correction) -> dict[str, Any]:
    """A correction in the active language, with the path of its page."""
    return {
        "title": str(correction.title),
        "where": str(correction.where),
        "path": reverse(correction.page),
        "editable": correction.editable,
        "note": str(correction.note) if correction.note is not None else "",
    }


def corrections_shown() -> dict[str, Any]:
    """Every section's and profile field's correction, for index.html and My account."""
    return {
        "sections": {key: _shown(correction) for key, correction in SECTIONS.items()},
        "profile": {key: _shown(correction) for key, correction in PROFILE_FIELDS.items()},
    }


def correction_note(section: str) -> str:
    """The sentence a page of My account shows about a record it lists ("" when none)."""
    correction = SECTIONS.get(section)
    return str(correction.note) if correction is not None and correction.note is not None else ""
