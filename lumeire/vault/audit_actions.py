"""What the audit log records of the vault: a master key rotation, the erasure journal."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from lumeire.audit.actions import register_actions


class VaultAuditAction(models.TextChoices):
    KEY_ROTATION = "key_rotation", _("Key rotation")
    ERASURE_JOURNAL_RECORDED = (
        "erasure_journal_recorded",
        _("Destroyed keys recorded in the erasure journal"),
    )


register_actions(VaultAuditAction)
