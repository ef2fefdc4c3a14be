"""What the audit log records about itself: who read it, and when old entries were sealed."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from lumeire.audit.actions import register_actions


class AuditLogAction(models.TextChoices):
    AUDIT_VIEWED = "audit_viewed", _("Audit log viewed")
    AUDIT_CHECKPOINT = "audit_checkpoint", _("Audit entries sealed in a checkpoint")


register_actions(AuditLogAction)
