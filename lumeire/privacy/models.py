"""Policy versions and the evidence of each customer's acceptance."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lumeire.vault.lifecycle import Erasure, OnErasure


class PolicyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class PublishedPolicyImmutableError(Exception):
    """A published text was about to change: customers accepted those exact words."""


class PolicyVersion(models.Model):
    """One text of the Privacy and Confidentiality Policy, in English and Arabic.

    ``sections`` is a list of ``{"key", "title": {"en", "ar"}, "body": {"en", "ar"}}``; a body
    may hold markers such as ``[[kept_data]]`` that lumeire.privacy.policy fills in from the
    running system at render time. A published version is never edited or deleted (customers
    accepted its words): a new version is drafted and published instead.
    """

    version = models.PositiveIntegerField(unique=True)
    effective_at = models.DateTimeField()
    sections = models.JSONField()
    status = models.CharField(
        max_length=16, choices=PolicyStatus.choices, default=PolicyStatus.DRAFT
    )

    class Meta:
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"privacy policy v{self.version}"

    def save(self, *args, **kwargs) -> None:
        """Refuse to change a version that is already published (publishing a draft is fine)."""
        if self.pk is not None:
            stored = type(self).objects.filter(pk=self.pk).values_list("status", flat=True).first()
            if stored == PolicyStatus.PUBLISHED:
                raise PublishedPolicyImmutableError(f"v{self.version} is published")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.published:
            raise PublishedPolicyImmutableError(f"v{self.version} is published")
        return super().delete(*args, **kwargs)

    @property
    def published(self) -> bool:
        return self.status == PolicyStatus.PUBLISHED

    def sections_in(self, language: str) -> list[dict[str, str]]:
        """The sections in ``language`` (English where a translation is missing)."""
        return [
            {
                "key": section["key"],
                "title": section["title"].get(language) or section["title"]["en"],
                "body": section["body"].get(language) or section["body"]["en"],
            }
            for section in self.sections
        ]


class PolicyAcceptance(models.Model):
    """Evidence that a customer accepted a version: who, which version, when, and from which
    client (a keyed hash of the address, never the address)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="policy_acceptances"
    )
    version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="+")
    accepted_at = models.DateTimeField(default=timezone.now)
    client_ref = models.CharField(max_length=64, blank=True, default="")

    erasure = Erasure(OnErasure.DELETE, subject="user")
    purges = ()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "version"], name="one_acceptance_per_version")
        ]

    def __str__(self) -> str:
        return f"acceptance of v{self.version.version}"


class ErasureStatus(models.TextChoices):
    AWAITING_CONFIRMATION = "awaiting_confirmation", _("Waiting for the emailed confirmation")
    SCHEDULED = "scheduled", _("Scheduled")
    CANCELLED = "cancelled", _("Cancelled")
    ERASED = "erased", _("Erased")


class ErasureReason(models.TextChoices):
    CUSTOMER = "customer", _("Asked by the customer")
    INACTIVITY = "inactivity", _("Account inactive")


class ErasureRequest(models.Model):
    """A deletion on its way: asked (or noticed for inactivity), confirmed, then carried out.

    Only the SHA-256 of the emailed link is kept, and only until it is used; the row outlives
    the erasure as the record that it happened (it holds no personal value).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="erasure_requests"
    )
    reason = models.CharField(max_length=16, choices=ErasureReason.choices)
    status = models.CharField(max_length=24, choices=ErasureStatus.choices)
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    token_expires_at = models.DateTimeField(null=True, blank=True)
    requested_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    erase_after = models.DateTimeField(null=True, blank=True, db_index=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    erased_at = models.DateTimeField(null=True, blank=True)

    # The request outlives the erasure as its record; its link hash is cleared when it is used.
    erasure = Erasure(
        OnErasure.RETAIN,
        subject="user",
        reason="The record that the deletion was asked for and carried out; no personal value",
    )
    purges = ()

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"erasure request {self.pk} ({self.status})"


class ConsentMethod(models.TextChoices):
    BANNER = "banner", _("Banner")
    SETTINGS = "settings", _("Cookie settings page")


class ConsentRecord(models.Model):
    """Evidence of one cookie choice: which optional categories, under which policy, when, how.

    ``consent_id`` is the random id kept in the visitor's consent cookie, so the choices of one
    browser read as one history; no client address is kept, not even hashed.
    """

    consent_id = models.CharField(max_length=32, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="consent_records",
    )
    categories = models.JSONField(default=list)
    policy_version = models.PositiveIntegerField(null=True, blank=True)
    method = models.CharField(max_length=16, choices=ConsentMethod.choices)
    recorded_at = models.DateTimeField(default=timezone.now)

    erasure = Erasure(OnErasure.DELETE, subject="user")
    purges = ()

    class Meta:
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"cookie consent {self.pk}"


class DailyPageViews(models.Model):
    """Anonymous statistics: page views and distinct browsers per day, counted only for visitors
    who accepted statistics cookies. Nothing here identifies anyone."""

    day = models.DateField(unique=True)
    views = models.PositiveIntegerField(default=0)
    visitors = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"page views on {self.day}"
