"""What the audit log records of the privacy centre: erasure, retention, breaches, the policy."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from lumeire.audit.actions import register_actions


class PrivacyAuditAction(models.TextChoices):
    ERASURE_REQUESTED = "erasure_requested", _("Account deletion requested")
    ERASURE_CONFIRMED = "erasure_confirmed", _("Account deletion confirmed")
    ERASURE_CANCELLED = "erasure_cancelled", _("Account deletion cancelled")
    ERASED = "erased", _("Account erased")
    ERASURE_REPLAYED = "erasure_replayed", _("Erasure replayed after a restore")
    PURGED = "purged", _("Expired data purged")
    BREACH_REPORT = "breach_report", _("Breach report prepared")
    POLICY_PUBLISHED = "policy_published", _("Privacy policy version published")


register_actions(PrivacyAuditAction)
