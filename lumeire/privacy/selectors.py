"""Reads of the policy in force."""

from __future__ import annotations

from django.utils import timezone

from lumeire.privacy.models import PolicyVersion


def current_policy_version() -> PolicyVersion | None:
    """The newest published version already in effect."""
    return (
        PolicyVersion.objects.filter(published=True, effective_at__lte=timezone.now())
        .order_by("-version")
        .first()
    )


def policy_version_get(version: int | None) -> PolicyVersion | None:
    """A published version by number, or the current one when ``version`` is None."""
    if version is None:
        return current_policy_version()
    return PolicyVersion.objects.filter(published=True, version=version).first()
