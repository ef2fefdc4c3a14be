"""What staff do that the audit log records: looks at personal data, exports, sign-ins, roles."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from lumeire.audit.actions import register_actions


class StaffAuditAction(models.TextChoices):
    REVEAL = "reveal", _("Personal value revealed")
    REVEAL_REFUSED = "reveal_refused", _("Reveal refused")
    EXPORT = "export", _("Export")
    CUSTOMER_CHANGED = "customer_changed", _("Customer changed by staff")
    STAFF_SIGN_IN = "staff_sign_in", _("Staff sign-in")
    STAFF_SIGN_IN_FAILED = "staff_sign_in_failed", _("Staff sign-in failed")
    STAFF_LOCKED_OUT = "staff_locked_out", _("Staff locked out")
    ROLES_CHANGED = "roles_changed", _("Roles changed")
    IDENTITY_SEARCH = "identity_search", _("Search by national ID or residence number (iqama)")
    IDENTITY_SEARCH_REFUSED = (
        "identity_search_refused",
        _("National ID or residence number (iqama) search refused"),
    )


# A reveal is the one entry a customer sees on "who looked at my data" (a search by identity
# number that found them writes one; an export that held them is listed there too, see
# staff.selectors); refused attempts are not.
register_actions(StaffAuditAction, shown_to_customer=[StaffAuditAction.REVEAL])
