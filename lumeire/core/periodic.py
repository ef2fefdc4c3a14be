"""Background tasks that run on a schedule, with nothing but the django-tasks database queue.

django-tasks has no clock of its own, so a periodic task keeps its next run in the queue: each run
enqueues the next one ``every`` later (``run_after``), and ``manage.py schedule_periodic`` (run by
``make run`` before the worker starts) puts one in the queue for any periodic task that has none,
say after a fresh database or a run that crashed before it rescheduled. At most one future run of
each task waits in the queue, so starting the store twice does not double the work.

A backend that cannot defer (the immediate backend the tests use) runs the task when asked and is
never given a next run: it would run at once and loop.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from django_tasks.base import Task


@dataclass(frozen=True)
class Periodic:
    """A task and the setting that says how many minutes apart its runs are."""

    task: Task
    every_setting: str
    default_minutes: int

    @property
    def every(self) -> timedelta:
        return timedelta(minutes=int(getattr(settings, self.every_setting, self.default_minutes)))

    @property
    def path(self) -> str:
        return self.task.module_path


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


def _defers(task: Task) -> bool:
    return task.get_backend().supports_defer


def _waiting_runs(path: str) -> int:
    """How many runs of the task wait in the database queue (0 for a backend without one)."""
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # another deferring backend keeps its own queue: trust it
        return 0
    return DBTaskResult.objects.filter(task_path=path, status="READY").count()


def schedule_next(task: Task, *, now: datetime | None = None) -> datetime | None:
    """Queue the next run of a periodic task unless one already waits; return when it runs."""
    entry = _REGISTRY.get(task.module_path)
    if entry is None or not _defers(task):
        return None
    if _waiting_runs(entry.path):
        return None
    run_after = (now or timezone.now()) + entry.every
    task.using(run_after=run_after).enqueue()
    return run_after


def schedule_missing(*, now: datetime | None = None) -> dict[str, datetime | None]:
    """Queue a first run (now) for every periodic task with none waiting; say what was queued."""
    queued: dict[str, datetime | None] = {}
    for entry in periodic_tasks():
        if not _defers(entry.task) or _waiting_runs(entry.path):
            queued[entry.path] = None
            continue
        run_after = now or timezone.now()
        entry.task.using(run_after=run_after).enqueue()
        queued[entry.path] = run_after
    return queued
