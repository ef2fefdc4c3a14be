"""A customer's request for a copy of their data, and where its sealed file is in its life.

The row holds no personal value: the export's content lives only in an encrypted file outside
any public folder (``storage.py``), sealed with the customer's data key.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lumeire.vault.lifecycle import Erasure, OnErasure, Purge


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("Being prepared")
    READY = "ready", _("Ready to download")
    DOWNLOADED = "downloaded", _("Downloaded")
    EXPIRED = "expired", _("Expired")
    FAILED = "failed", _("Could not be prepared")


class DataExport(models.Model):
    """One export: requested, built by a background task, downloaded once, then gone."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="data_exports"
    )
    status = models.CharField(max_length=12, choices=ExportStatus.choices)
    language = models.CharField(max_length=8, default="en")
    requested_at = models.DateTimeField(default=timezone.now, db_index=True)
    ready_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(db_index=True)
    downloaded_at = models.DateTimeField(null=True, blank=True)
    size = models.PositiveIntegerField(default=0)

    # The file is sealed with the customer's key: shredding it is the erasure; the purge then
    # removes the file.
    erasure = Erasure(OnErasure.SHRED, subject="customer")
    purges = (
        Purge(
            "exports",
            after=_("after the export is ready; its link works once"),
            period=timedelta(hours=24),
            hook="lumeire.exports.services.exports_purge_expired",
        ),
    )

    class Meta:
        ordering = ["-requested_at"]
        indexes = [models.Index(fields=["customer", "requested_at"], name="export_customer_time")]

    def __str__(self) -> str:
        return f"export {self.pk}"
