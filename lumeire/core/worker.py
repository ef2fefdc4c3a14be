"""The background worker that survives faults (``manage.py task_worker``).

It is django-tasks-db's worker with four additions:

- A database error (the server restarted, the network dropped, SQLite's file went away) never
  stops it: it logs a WARNING (event ``task_worker_database_unreachable``), closes its
  connections, waits (1 s, doubling up to 10 s) and goes on.
- Leases. Each worker beats (a ``WorkerHeartbeat`` row, from a thread of its own with its own
  connection, so a long task keeps its lease). Every few seconds any worker takes back each
  RUNNING task whose worker has not beaten for LUMEIRE_TASK_LEASE_SECONDS: it goes back to READY
  and another worker runs it again, up to LUMEIRE_TASK_MAX_ATTEMPTS runs, after which it is
  FAILED with the reason. Each take-back is one conditional UPDATE, so two workers taking back
  the same task at once cannot both do it. Tasks are written to run twice safely.
- A result is written only while the worker still holds the task (same claim), so a worker
  that lost its lease cannot overwrite the run that replaced it.
- Every few seconds it makes the periodic scheduling pass and the watchdog pass
  (lumeire.core.periodic).
"""

from __future__ import annotations

import contextlib
import logging
import os
import random
import socket
import sqlite3
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from traceback import format_exception
from typing import Any

from django.conf import settings
from django.db import InterfaceError, OperationalError, close_old_connections, connections
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from lumeire.core.models import WorkerHeartbeat
from lumeire.core.periodic import periodic_watchdog_pass, schedule_periodic_pass

try:  # the PostgreSQL driver's own classes, for errors raised outside Django's cursor wrappers
    import psycopg

    _DRIVER_ERRORS: tuple[type[BaseException], ...] = (
        psycopg.OperationalError,
        psycopg.InterfaceError,
    )
except ImportError:  # pragma: no cover - SQLite-only installs
    _DRIVER_ERRORS = ()

logger = logging.getLogger(__name__)

# What a database outage raises, whichever engine: the worker waits these out.
DATABASE_ERRORS: tuple[type[BaseException], ...] = (
    OperationalError,
    InterfaceError,
    sqlite3.OperationalError,
    sqlite3.InterfaceError,
    *_DRIVER_ERRORS,
)
BACKOFF_FIRST_SECONDS = 1.0
BACKOFF_MAX_SECONDS = 10.0
# How often, at most, a worker takes back abandoned tasks and makes the scheduling passes.
HOUSEKEEPING_MAX_SECONDS = 5.0
# Heartbeat rows of workers gone this long are dropped (a restart takes a new id).
FORGET_WORKERS_AFTER = timedelta(days=1)


def lease_seconds() -> int:
    return int(getattr(settings, "LUMEIRE_TASK_LEASE_SECONDS", 60))


def heartbeat_seconds() -> float:
    return float(getattr(settings, "LUMEIRE_TASK_HEARTBEAT_SECONDS", 5))


def max_attempts() -> int:
    return max(int(getattr(settings, "LUMEIRE_TASK_MAX_ATTEMPTS", 5)), 1)


class TaskAttemptsExhausted(Exception):
    """Recorded as a task's error when it was started too many times without finishing."""


# --- Heartbeats ----------------------------------------------------------------------------


class Heartbeat:
    """A worker's heartbeat row, kept fresh by a daemon thread with its own connection."""

    def __init__(self, worker_id: str, every: float) -> None:
        self.worker_id = worker_id
        self.every = every
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def beat(self) -> None:
        """Say this worker is alive now (from the calling thread's connection)."""
        now = timezone.now()
        if WorkerHeartbeat.objects.filter(worker_id=self.worker_id).update(beat_at=now):
            return
        WorkerHeartbeat.objects.update_or_create(
            worker_id=self.worker_id,
            defaults={
                "host": socket.gethostname()[:255],
                "pid": os.getpid(),
                "started_at": now,
                "beat_at": now,
            },
        )

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._run, name=f"heartbeat-{self.worker_id}", daemon=True
        )
        self._thread.start()

    def _run(self) -> None:
        try:
            while True:
                close_old_connections()
                try:
                    self.beat()
                except DATABASE_ERRORS:
                    # The main loop reports the outage; this thread only tries again.
                    _close_connections()
                if self._stop.wait(self.every):
                    return
        finally:
            _close_connections()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=max(self.every, 1.0) + 5)

    def forget(self) -> None:
        """Remove the row at a clean exit: nothing of this worker is left running."""
        WorkerHeartbeat.objects.filter(worker_id=self.worker_id).delete()


def _close_connections() -> None:
    """Close this thread's database connections, whatever state they are in."""
    for connection in connections.all(initialized_only=True):
        try:
            connection.close()
        except Exception:  # a broken connection is dropped either way
            connection.connection = None


# --- Taking back abandoned tasks -----------------------------------------------------------


@dataclass(frozen=True)
class TakenBack:
    """One RUNNING task returned to the queue (``ready``) or given up (``failed``)."""

    task_id: str
    task_path: str
    attempts: int
    state: str


def take_back(row: DBTaskResult, *, now: datetime, why: str) -> TakenBack | None:
    """Return one claimed run to READY, or FAILED once it has used every attempt.

    Only the claim the caller saw is changed (same id, still RUNNING, same start): if another
    worker took it back or finished it meanwhile, nothing happens and None is returned.
    """
    attempts = len(row.worker_ids or [])
    same_claim = DBTaskResult.objects.filter(
        pk=row.pk, status=TaskResultStatus.RUNNING, started_at=row.started_at
    )
    if attempts >= max_attempts():
        changed = same_claim.update(
            status=TaskResultStatus.FAILED,
            finished_at=now,
            return_value=None,
            exception_class_path=f"{__name__}.{TaskAttemptsExhausted.__qualname__}",
            traceback=(
                f"{__name__}.TaskAttemptsExhausted: started {attempts} times without finishing "
                f"(LUMEIRE_TASK_MAX_ATTEMPTS={max_attempts()}); the last time {why}.\n"
            ),
        )
        state = "failed"
    else:
        changed = same_claim.update(status=TaskResultStatus.READY)
        state = "ready"
    if not changed:
        return None
    taken = TakenBack(str(row.pk), row.task_path, attempts, state)
    log = logger.error if state == "failed" else logger.warning
    log(
        "task %s %s: %s",
        row.task_path,
        "given up" if state == "failed" else "queued again",
        why,
        extra={
            "event": "task_given_up" if state == "failed" else "task_requeued",
            "task": row.task_path,
            "task_id": str(row.pk),
            "attempts": attempts,
        },
    )
    return taken


def requeue_abandoned(*, now: datetime | None = None) -> list[TakenBack]:
    """Take back every RUNNING task whose worker has not beaten for the lease."""
    now = now or timezone.now()
    lease = timedelta(seconds=lease_seconds())
    cutoff = now - lease
    WorkerHeartbeat.objects.filter(beat_at__lt=now - FORGET_WORKERS_AFTER).delete()
    # Claimed at least a lease ago: a worker's first beat always comes before that.
    suspects = list(
        DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lte=cutoff)
        .only("id", "task_path", "worker_ids", "started_at")
        .order_by()
    )
    if not suspects:
        return []
    alive = set(
        WorkerHeartbeat.objects.filter(beat_at__gt=cutoff).values_list("worker_id", flat=True)
    )
    taken = []
    for row in suspects:
        last = row.worker_ids[-1] if row.worker_ids else ""
        if last in alive:
            continue
        why = f"its worker has not been heard from for over {lease_seconds()} s"
        outcome = take_back(row, now=now, why=why)
        if outcome is not None:
            taken.append(outcome)
    return taken


# --- The worker ----------------------------------------------------------------------------


@dataclass
class _Unfinished:
    """A run whose outcome could not be written because the database went away."""

    row: DBTaskResult
    # ("successful", value) when the task finished; None when it was cut off (run it again).
    outcome: tuple[str, Any] | None


_STOP = object()


class TaskWorker(Worker):
    """django-tasks-db's worker, made to survive database outages, with leases and the
    periodic scheduler (see the module's docstring)."""

    def __init__(self, *, periodic: bool = True, heartbeat: float | None = None, **kwargs):
        super().__init__(**kwargs)
        self.periodic = periodic
        self.heartbeat = Heartbeat(self.worker_id, heartbeat or heartbeat_seconds())
        self.housekeeping_every = min(HOUSEKEEPING_MAX_SECONDS, self.heartbeat.every)
        self._next_housekeeping = 0.0
        self._unfinished: _Unfinished | None = None
        self._backoff = 0.0
        self._outage_since: float | None = None

    # The loop ------------------------------------------------------------------------------

    def run(self) -> None:
        logger.info(
            "task worker %s starting (queues %s)",
            self.worker_id,
            ",".join(self.queue_names),
            extra={"event": "task_worker_started", "worker_id": self.worker_id},
        )
        if self.startup_delay and self.interval:
            time.sleep(random.random())  # noqa: S311 - spreads workers started together
        self.heartbeat.start()
        try:
            while self.running:
                try:
                    step = self._step()
                except DATABASE_ERRORS as error:
                    self._database_unreachable(error)
                    continue
                if step is _STOP:
                    return
                if self.running and not step:
                    time.sleep(self.interval)
        finally:
            self.heartbeat.stop()
            if self._unfinished is None:
                # On a database error the row ages out; the lease does the rest.
                with contextlib.suppress(*DATABASE_ERRORS):
                    self.heartbeat.forget()

    def _step(self) -> object:
        """One turn: settle, housekeep, then claim and run one task. Returns whether a task
        ran, or _STOP when a batch or the task budget is done."""
        close_old_connections()
        if self._unfinished is not None:
            self._settle_unfinished()
        self._housekeeping()
        self._database_back()
        claimed, retrieved = self._claim()
        if claimed is not None:
            self.run_task(claimed)
        if self.batch and retrieved and claimed is None:
            logger.info("task worker %s: queue empty, leaving (batch)", self.worker_id)
            return _STOP
        if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
            logger.info("task worker %s: ran %d tasks, leaving", self.worker_id, self._run_tasks)
            return _STOP
        close_old_connections()
        return claimed is not None

    def _database_unreachable(self, error: BaseException) -> None:
        self.running_task = False
        if self._outage_since is None:
            self._outage_since = time.monotonic()
        self._backoff = min(max(self._backoff * 2, BACKOFF_FIRST_SECONDS), BACKOFF_MAX_SECONDS)
        logger.warning(
            "task worker %s cannot reach the database (%s); trying again in %.0f s",
            self.worker_id,
            type(error).__name__,
            self._backoff,
            extra={
                "event": "task_worker_database_unreachable",
                "worker_id": self.worker_id,
                "error": f"{type(error).__module__}.{type(error).__qualname__}",
                "retry_in_seconds": self._backoff,
            },
        )
        _close_connections()
        self._next_housekeeping = 0.0  # first thing once back: it proves the database answers
        if self.running:
            time.sleep(self._backoff)

    def _database_back(self) -> None:
        if self._outage_since is None:
            return
        logger.info(
            "task worker %s reaches the database again after %.1f s",
            self.worker_id,
            time.monotonic() - self._outage_since,
            extra={"event": "task_worker_database_back", "worker_id": self.worker_id},
        )
        self._outage_since = None
        self._backoff = 0.0

    def _housekeeping(self) -> None:
        if time.monotonic() < self._next_housekeeping:
            return
        passes = [requeue_abandoned]
        if self.periodic:
            passes += [schedule_periodic_pass, periodic_watchdog_pass]
        for one_pass in passes:
            try:
                one_pass()
            except DATABASE_ERRORS:
                raise
            except Exception:  # a broken pass must not stop the tasks
                logger.exception(
                    "task worker housekeeping failed",
                    extra={"event": "task_worker_housekeeping_failed", "step": one_pass.__name__},
                )
        self._next_housekeeping = time.monotonic() + self.housekeeping_every

    def _claim(self) -> tuple[DBTaskResult | None, bool]:
        """Claim the next ready task, as django-tasks-db's worker does; (task, whether the
        queue could be read)."""
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        # From the claim until the task ends, a stop signal waits for the task rather than
        # leaving it claimed and not run (run_task clears the flag).
        self.running_task = True
        try:
            with exclusive_transaction(tasks.db):
                task_result = tasks.get_locked()
                if task_result is not None:
                    task_result.claim(self.worker_id)
        except OperationalError as error:
            self.running_task = False
            if not is_locked_database_exception(error):
                raise
            return None, False  # SQLite busy: try again next turn
        except BaseException:
            self.running_task = False
            raise
        self.running_task = task_result is not None
        return task_result, True

    # Running one task ----------------------------------------------------------------------

    def run_task(self, db_task_result: DBTaskResult) -> None:
        """Run a claimed task and write its outcome while the claim is still this worker's."""
        from django_tasks_db.compat import TaskContext, task_started

        self.running_task = True
        try:
            try:
                task = db_task_result.task
                backend_type = task.get_backend()
                task_result = db_task_result.task_result
                task_started.send(sender=backend_type, task_result=task_result)
                if task.takes_context:
                    value = task.call(
                        TaskContext(task_result=task_result),
                        *task_result.args,
                        **task_result.kwargs,
                    )
                else:
                    value = task.call(*task_result.args, **task_result.kwargs)
            except DATABASE_ERRORS:
                # Cut off by an outage, not the task's fault: it runs again once the database
                # answers (another attempt).
                self._unfinished = _Unfinished(db_task_result, None)
                raise
            except (KeyboardInterrupt, SystemExit):
                # Forced stop: hand the task back rather than record a failure it did not have.
                self._unfinished = _Unfinished(db_task_result, None)
                with contextlib.suppress(*DATABASE_ERRORS):  # else the lease hands it back
                    self._settle_unfinished()
                raise
            except BaseException as error:  # the task's own failure is its result
                outcome: tuple[str, Any] = ("failed", error)
            else:
                outcome = ("successful", value)
            try:
                self._record(db_task_result, outcome)
            except DATABASE_ERRORS:
                self._unfinished = _Unfinished(db_task_result, outcome)
                raise
        finally:
            self.running_task = False
            self._run_tasks += 1

    def _record(self, row: DBTaskResult, outcome: tuple[str, Any]) -> None:
        from django_tasks_db.compat import task_finished

        kind, payload = outcome
        now = timezone.now()
        same_claim = DBTaskResult.objects.filter(
            pk=row.pk, status=TaskResultStatus.RUNNING, started_at=row.started_at
        )
        if kind == "successful":
            try:
                changed = same_claim.update(
                    status=TaskResultStatus.SUCCESSFUL,
                    finished_at=now,
                    return_value=payload,
                    exception_class_path="",
                    traceback="",
                )
                row.status, row.return_value = TaskResultStatus.SUCCESSFUL, payload
            except (TypeError, ValueError) as error:  # a value JSON cannot hold: a failure
                kind, payload = "failed", error
        if kind == "failed":
            changed = same_claim.update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                return_value=None,
                exception_class_path=f"{type(payload).__module__}.{type(payload).__qualname__}",
                traceback="".join(format_exception(payload)),
            )
            row.status = TaskResultStatus.FAILED
            row.exception_class_path = f"{type(payload).__module__}.{type(payload).__qualname__}"
            row.traceback = "".join(format_exception(payload))
        row.finished_at = now
        if not changed:
            logger.warning(
                "task %s finished after its lease was lost; its outcome is dropped",
                row.task_path,
                extra={"event": "task_lease_lost", "task": row.task_path, "task_id": str(row.pk)},
            )
            return
        try:
            task_finished.send(sender=type(row.task.get_backend()), task_result=row.task_result)
        except ImportError:
            logger.exception("task id=%s: its code is gone", row.pk)

    def _settle_unfinished(self) -> None:
        """Write what an outage kept from being written: the outcome, or the task back to the
        queue for another attempt."""
        unfinished = self._unfinished
        if unfinished is None:
            return
        if unfinished.outcome is not None:
            self._record(unfinished.row, unfinished.outcome)
        else:
            take_back(unfinished.row, now=timezone.now(), why="its run was cut off")
        self._unfinished = None
