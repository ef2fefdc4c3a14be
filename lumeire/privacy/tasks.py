"""The retention pass as a periodic background task (the worker that `make run` starts runs it)."""

from __future__ import annotations

from django_tasks import task

from lumeire.core.periodic import periodic


@periodic(every_setting="LUMEIRE_PURGE_EVERY_MINUTES", default_minutes=24 * 60)
@task()
def purge_expired_task() -> dict[str, int]:
    """Apply every retention period; returns the counts by category. Safe to run twice: what
    the first run deleted is not there for the second. The worker queues one run per period."""
    from lumeire.privacy.retention import purge_expired

    return purge_expired()
