"""Background tasks that run on a schedule, on any number of nodes, one run per period.

Time is cut into slots aligned to each task's period (``floor(now / every)``, counted from the
Unix epoch in UTC: a daily task's slots start at midnight UTC). The background worker
(``manage.py task_worker``) makes a scheduling pass every few seconds, and ``manage.py
schedule_periodic`` makes one: for each periodic task whose current slot has no run yet, it
inserts the slot's row (``PeriodicSlot``, unique per task and slot) and queues the run in the
same transaction. A second scheduler, on this node or another, fails that insert and queues
nothing, so however many schedulers run, each slot gets one run. Slots missed while no worker
ran are not made up: the next pass queues the current slot only. A run still waiting or running
from an earlier slot holds the next slot back until it ends, so runs of one task never overlap.

The watchdog (``overdue_periodic_tasks``) names every task whose newest slot that should have
finished (slot start + period + LUMEIRE_PERIODIC_GRACE_SECONDS) has no successful run; each
worker pass logs such a slot once at ERROR (event ``periodic_task_overdue``) and the back
office home shows it to staff.

A backend that cannot defer (the immediate backend the tests use) gets no scheduled runs: it
would run each task inside the pass. Such a task runs when something enqueues it, and the
watchdog has nothing to watch.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from django_tasks.base import Task, TaskResultStatus
from django_tasks.exceptions import TaskResultDoesNotExist

from lumeire.core.models import PeriodicSlot

logger = logging.getLogger(__name__)

# Slot rows are kept this many periods back (and at least KEEP_SLOTS_MIN): enough for the
# watchdog's baseline and for someone reading what ran.
KEEP_SLOTS_PERIODS = 3
KEEP_SLOTS_MIN = timedelta(days=2)
_UNFINISHED = {TaskResultStatus.READY, TaskResultStatus.RUNNING}


@dataclass(frozen=True)
class Periodic:
    """A task and the setting that says how many minutes apart its runs are."""

    task: Task
    every_setting: str
    default_minutes: int

    @property
    def every(self) -> timedelta:
        minutes = int(getattr(settings, self.every_setting, self.default_minutes))
        return timedelta(minutes=max(minutes, 1))

    @property
    def path(self) -> str:
        return self.task.module_path

    def slot_of(self, moment: datetime) -> datetime:
        """The start of the slot that holds ``moment``."""
        return slot_start(self.every, moment)


_REGISTRY: dict[str, Periodic] = {}


def periodic(*, every_setting: str, default_minutes: int):
    """Register a django-tasks ``Task`` as periodic (put it above ``@task()`` in tasks.py)."""

    def register(task: Task) -> Task:
        entry = Periodic(task, every_setting, default_minutes)
        _REGISTRY[entry.path] = entry
        return task

    return register


def periodic_tasks() -> list[Periodic]:
    """Every periodic task of every installed app (their ``tasks`` modules are imported first)."""
    autodiscover_modules("tasks")
    return sorted(_REGISTRY.values(), key=lambda entry: entry.path)


def slot_start(every: timedelta, moment: datetime) -> datetime:
    """``moment`` rounded down to a multiple of ``every`` since the epoch, in UTC."""
    period = max(int(every.total_seconds()), 1)
    seconds = int(moment.timestamp())
    return datetime.fromtimestamp(seconds - seconds % period, tz=UTC)


def _defers(task: Task) -> bool:
    return task.get_backend().supports_defer


def _status_of(task: Task, result_id: object) -> str | None:
    """The status of one queued run, or None when the backend no longer knows it."""
    backend = task.get_backend()
    if result_id is None or not backend.supports_get_result:
        return None
    try:
        return backend.get_result(str(result_id)).status
    except TaskResultDoesNotExist:  # purged: it says nothing either way
        return None


# --- Scheduling ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SlotOutcome:
    """What one pass did for one task: ``queued`` (this pass queued the slot's run), ``taken``
    (the slot already has its run), ``waiting`` (an earlier run has not ended) or ``immediate``
    (the backend cannot defer: nothing is scheduled)."""

    path: str
    every: timedelta
    slot_start: datetime | None
    state: str


def _earlier_run_unfinished(entry: Periodic, slot: datetime) -> bool:
    latest = (
        PeriodicSlot.objects.filter(
            task_path=entry.path, slot_start__lt=slot, task_result_id__isnull=False
        )
        .order_by("-slot_start")
        .values_list("task_result_id", flat=True)
        .first()
    )
    return latest is not None and _status_of(entry.task, latest) in _UNFINISHED


def _schedule_one(entry: Periodic, now: datetime) -> SlotOutcome:
    if not _defers(entry.task):
        return SlotOutcome(entry.path, entry.every, None, "immediate")
    slot = entry.slot_of(now)
    if PeriodicSlot.objects.filter(task_path=entry.path, slot_start=slot).exists():
        return SlotOutcome(entry.path, entry.every, slot, "taken")
    if _earlier_run_unfinished(entry, slot):
        return SlotOutcome(entry.path, entry.every, slot, "waiting")
    try:
        with transaction.atomic():
            claimed = PeriodicSlot.objects.create(
                task_path=entry.path, slot_start=slot, queued_at=now
            )
            result = entry.task.using(run_after=slot).enqueue()
            PeriodicSlot.objects.filter(pk=claimed.pk).update(task_result_id=result.id)
    except IntegrityError:  # another scheduler queued this slot's run first
        return SlotOutcome(entry.path, entry.every, slot, "taken")
    logger.info(
        "periodic task queued",
        extra={"event": "periodic_task_queued", "task": entry.path, "slot": slot.isoformat()},
    )
    return SlotOutcome(entry.path, entry.every, slot, "queued")


def _forget_old_slots(entry: Periodic, now: datetime) -> None:
    keep = max(entry.every * KEEP_SLOTS_PERIODS, KEEP_SLOTS_MIN)
    PeriodicSlot.objects.filter(task_path=entry.path, slot_start__lt=now - keep).delete()


def schedule_periodic_pass(*, now: datetime | None = None) -> list[SlotOutcome]:
    """Queue the current slot's run of every periodic task that has none; say what was done."""
    now = now or timezone.now()
    outcomes = []
    for entry in periodic_tasks():
        outcomes.append(_schedule_one(entry, now))
        if outcomes[-1].state != "immediate":
            _forget_old_slots(entry, now)
    return outcomes


# --- The watchdog --------------------------------------------------------------------------


@dataclass(frozen=True)
class OverduePeriodicTask:
    """A periodic task whose slot ``slot_start`` should have had a successful run by
    ``due_at`` (slot start + period) and has none; ``late_by`` is how long ago that was."""

    path: str
    name: str
    slot_start: datetime
    due_at: datetime
    late_by: timedelta

    @property
    def late_minutes(self) -> int:
        return int(self.late_by.total_seconds() // 60)


def _grace() -> timedelta:
    return timedelta(seconds=int(getattr(settings, "LUMEIRE_PERIODIC_GRACE_SECONDS", 120)))


def _overdue(entry: Periodic, now: datetime, grace: timedelta) -> OverduePeriodicTask | None:
    every = entry.every
    # The newest slot whose run should be over, grace included.
    due_slot = entry.slot_of(now - every - grace)
    slots = PeriodicSlot.objects.filter(task_path=entry.path)
    first = slots.order_by("slot_start").values_list("slot_start", flat=True).first()
    if first is None or first > due_slot:  # not scheduled back then: nothing to miss yet
        return None
    since = slots.filter(slot_start__gte=due_slot, task_result_id__isnull=False)
    for result_id in since.values_list("task_result_id", flat=True):
        if _status_of(entry.task, result_id) == TaskResultStatus.SUCCESSFUL:
            return None
    due_at = due_slot + every
    return OverduePeriodicTask(entry.path, entry.task.name, due_slot, due_at, now - due_at)


def overdue_periodic_tasks(*, now: datetime | None = None) -> list[OverduePeriodicTask]:
    """Every periodic task whose newest slot that should have finished has no successful run
    (a run from a later slot counts too). Read-only; empty for backends that cannot defer."""
    now = now or timezone.now()
    grace = _grace()
    found = []
    for entry in periodic_tasks():
        if not _defers(entry.task):
            continue
        overdue = _overdue(entry, now, grace)
        if overdue is not None:
            found.append(overdue)
    return found


def periodic_watchdog_pass(*, now: datetime | None = None) -> list[OverduePeriodicTask]:
    """Log each overdue slot once at ERROR, whichever worker sees it first; return the overdue
    tasks (reported now or before)."""
    now = now or timezone.now()
    overdue = overdue_periodic_tasks(now=now)
    for item in overdue:
        slot, _ = PeriodicSlot.objects.get_or_create(
            task_path=item.path, slot_start=item.slot_start
        )
        first_report = PeriodicSlot.objects.filter(
            pk=slot.pk, overdue_reported_at__isnull=True
        ).update(overdue_reported_at=now)
        if first_report:
            logger.error(
                "periodic task %s is overdue: its run for the slot of %s has not succeeded, "
                "%d s after it was due",
                item.path,
                item.slot_start.isoformat(),
                int(item.late_by.total_seconds()),
                extra={
                    "event": "periodic_task_overdue",
                    "task": item.path,
                    "slot": item.slot_start.isoformat(),
                    "late_seconds": int(item.late_by.total_seconds()),
                },
            )
    return overdue
