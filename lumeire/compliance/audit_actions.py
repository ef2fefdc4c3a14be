"""What the audit log records of irregular-activity cases, from detection to the report."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from lumeire.audit.actions import register_actions


class CaseAuditAction(models.TextChoices):
    CASE_OPENED = "case_opened", _("Irregular-activity case opened")
    CASE_VIEWED = "case_viewed", _("Case viewed")
    CASE_CHANGED = "case_changed", _("Case changed")
    CASE_NOTE = "case_note", _("Case note written")
    CASE_ACTION = "case_action", _("Protective action on a case")
    LEGAL_REQUESTED = "legal_requested", _("Legal consultation requested")
    LEGAL_DECIDED = "legal_decided", _("Legal decision on a case")
    REPORT_GENERATED = "report_generated", _("Report to the authorities generated")
    REPORT_DOWNLOADED = "report_downloaded", _("Report to the authorities downloaded")
    REPORT_SENT = "report_sent", _("Report sent to the authorities")


register_actions(CaseAuditAction)
