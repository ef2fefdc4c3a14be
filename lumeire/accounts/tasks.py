"""Background work of accounts (django-tasks; the database backend's worker runs it)."""

from __future__ import annotations

import uuid

from django_tasks import task


@task()
def sign_up_follow_up(pending_id: str) -> str:
    """Send a pending sign-up its email: the link, or a notice to the address's owner.

    Only the row's id crosses the queue, never a value or a token.
    """
    from lumeire.accounts.services.signup import sign_up_follow_up_run

    return sign_up_follow_up_run(pending_id=uuid.UUID(pending_id))
