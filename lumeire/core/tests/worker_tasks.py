"""Tasks the worker tests queue. They leave marks in a folder, so a test sees every start and
every finish, even of a worker process it killed."""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

from django.db import connection
from django_tasks import TaskContext, task


@task()
def mark_slowly(folder: str, seconds: float, touch_database: bool = False) -> str:
    """Mark the start, wait, optionally read the database, then mark the finish."""
    marks = Path(folder)
    (marks / f"start-{os.getpid()}-{time.monotonic_ns()}").write_text(str(time.time()))
    time.sleep(seconds)
    if touch_database:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    with (marks / "finished").open("a") as done:
        done.write(f"{os.getpid()} {time.time()}\n")
    return "finished"


@task(takes_context=True)
def lose_own_lease(context: TaskContext, other_worker: str) -> str:
    """Play out a lease lost mid-run: the task is taken back and claimed by another worker
    before this run ends (what happens when a worker stalls past its lease)."""
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from lumeire.core.worker import take_back

    row = DBTaskResult.objects.get(pk=uuid.UUID(context.task_result.id))
    take_back(row, now=timezone.now(), why="the test stalled it")
    DBTaskResult.objects.get(pk=row.pk).claim(other_worker)
    return "finished late"


def starts(folder: Path) -> list[Path]:
    return sorted(folder.glob("start-*"), key=lambda mark: float(mark.read_text()))


def finishes(folder: Path) -> list[str]:
    done = folder / "finished"
    return done.read_text().splitlines() if done.exists() else []
