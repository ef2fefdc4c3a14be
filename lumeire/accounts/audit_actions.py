"""What the audit log records of customers' accounts: lockouts and sign-ups with taken details."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from lumeire.audit.actions import register_actions


class AccountAuditAction(models.TextChoices):
    CUSTOMER_LOCKED_OUT = "customer_locked_out", _("Customer locked out")
    SIGNUP_CONFLICT = "signup_conflict", _("Sign-up conflict")


register_actions(AccountAuditAction)
