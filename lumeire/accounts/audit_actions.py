"""What the audit log records of customers' accounts: lockouts, details other accounts hold,
and changes of identity number."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from lumeire.audit.actions import register_actions


class AccountAuditAction(models.TextChoices):
    CUSTOMER_LOCKED_OUT = "customer_locked_out", _("Customer locked out")
    SIGNUP_CONFLICT = "signup_conflict", _("Sign-up conflict")
    DETAILS_CHANGE_CONFLICT = (
        "details_change_conflict",
        _("Change to details another account holds"),
    )
    IDENTITY_NUMBER_CHANGED = (
        "identity_number_changed",
        _("National ID or residence number (iqama) changed"),
    )


register_actions(AccountAuditAction)
