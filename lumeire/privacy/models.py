"""Policy versions and the evidence of each customer's acceptance."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class PolicyVersion(models.Model):
    """One published text of the Privacy and Confidentiality Policy, in English and Arabic.

    ``sections`` is a list of ``{"key", "title": {"en", "ar"}, "body": {"en", "ar"}}``; a
    published version is never edited, a new one is published instead.
    """

    version = models.PositiveIntegerField(unique=True)
    effective_at = models.DateTimeField()
    sections = models.JSONField()
    published = models.BooleanField(default=True)

    class Meta:
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"privacy policy v{self.version}"

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
    """Evidence that a customer accepted a version: who, which version, when."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="policy_acceptances"
    )
    version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="+")
    accepted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "version"], name="one_acceptance_per_version")
        ]

    def __str__(self) -> str:
        return f"acceptance of v{self.version.version}"
