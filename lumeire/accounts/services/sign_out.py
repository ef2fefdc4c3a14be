"""Signing out: every web session and every API token of the account ends together."""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from lumeire.accounts.models import ApiToken, User

security_log = logging.getLogger("lumeire.security")


def end_every_sign_in(user: User) -> int:
    """End every web session and API token of ``user``; return the number of tokens revoked.

    Sessions end through the session check Django makes on each request: raising the account's
    sign-in generation changes the value every session was signed in with, so each one is
    refused (and emptied) at its next request, on any device and with any session store.
    """
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(sign_in_generation=F("sign_in_generation") + 1)
        revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    user.refresh_from_db(fields=["sign_in_generation"])
    security_log.info(
        "every sign-in ended",
        extra={"event": "signed_out_everywhere", "user_id": str(user.pk), "tokens": revoked},
    )
    return revoked
