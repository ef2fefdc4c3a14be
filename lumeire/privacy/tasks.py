"""The retention pass as a periodic background task (the worker that `make run` starts runs it)."""

from __future__ import annotations

from django_tasks import task

from lumeire.core.periodic import periodic, schedule_next


@periodic(every_setting="LUMEIRE_PURGE_EVERY_MINUTES", default_minutes=24 * 60)
@task()
def purge_expired_task() -> dict[str, int]:
    """Apply every retention period, then queue the next run; returns the counts by category."""
    from lumeire.privacy.retention import purge_expired

    try:
        return purge_expired()
    finally:
        # Even a failed pass keeps the schedule: the next one retries what this one left.
        schedule_next(purge_expired_task)
