"""What the audit log records about itself: who read it, when old entries were sealed, and
where its chain became keyed."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from lumeire.audit.actions import register_actions


class AuditLogAction(models.TextChoices):
    AUDIT_VIEWED = "audit_viewed", _("Audit log viewed")
    AUDIT_CHECKPOINT = "audit_checkpoint", _("Audit entries sealed in a checkpoint")
    # Written once, by migration 0009, after the entries hashed before the chain was keyed.
    AUDIT_CHAIN_SEALED = "audit_chain_sealed", _("Audit log keyed from here")


register_actions(AuditLogAction)
