"""What the background workers share through the database: who is alive, and which periodic
slots have been given a run.

Neither table holds anything about a person: a worker is a host and a process id, a slot is a
task's dotted path and a time.
"""

from __future__ import annotations

from django.db import models


class WorkerHeartbeat(models.Model):
    """One background worker, and when it last said it was alive.

    A running task whose worker has not beaten for the lease (LUMEIRE_TASK_LEASE_SECONDS) is
    taken back and run again by another worker (lumeire.core.worker).
    """

    worker_id = models.CharField(max_length=64, primary_key=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"worker {self.worker_id}"


class PeriodicSlot(models.Model):
    """One period of one periodic task, claimed by the scheduler that queued its run.

    The unique pair (task, slot) is inserted in the transaction that queues the run: a second
    scheduler, on this node or another, fails the insert and queues nothing.
    """

    task_path = models.CharField(max_length=255)
    slot_start = models.DateTimeField()
    # The run queued for the slot (django-tasks' result id); empty when none was, say when the
    # watchdog records a slot that was never scheduled.
    task_result_id = models.UUIDField(null=True, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    # Set once, by the first worker that reported the slot overdue, so the alert is raised once.
    overdue_reported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["task_path", "slot_start"], name="periodic_one_run_per_slot"
            )
        ]

    def __str__(self) -> str:
        return f"{self.task_path} @ {self.slot_start:%Y-%m-%d %H:%M}"
