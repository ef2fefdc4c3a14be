"""Writes of the privacy app: the evidence that a customer accepted a policy version."""

from __future__ import annotations

import logging
from enum import StrEnum
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from lumeire.core.errors import ApplicationError
from lumeire.privacy.models import PolicyAcceptance, PolicyVersion

if TYPE_CHECKING:
    from lumeire.accounts.models import User

logger = logging.getLogger(__name__)


class PolicyErrorCode(StrEnum):
    UNKNOWN_VERSION = "policy_version_unknown"


def policy_accept(*, actor: User, version: int) -> PolicyAcceptance:
    """Record that ``actor`` accepted a published version; accepting it again keeps the first.

    Only a published text can be accepted, so every acceptance names words the customer could
    read.
    """
    policy = PolicyVersion.objects.filter(published=True, version=version).first()
    if policy is None:
        message = _("There is no published privacy policy with this version.")
        raise ApplicationError(
            PolicyErrorCode.UNKNOWN_VERSION, message, field_errors={"version": [message]}
        )
    acceptance, created = PolicyAcceptance.objects.get_or_create(user=actor, version=policy)
    if created:
        logger.info(
            "privacy policy accepted",
            extra={"event": "policy_accepted", "user_id": str(actor.pk), "version": version},
        )
    return acceptance
