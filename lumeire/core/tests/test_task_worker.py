"""The task worker survives what stopped django-tasks-db's: a worker killed mid-task, and a
database that goes away. Real worker processes, a real database, real outages."""

from __future__ import annotations

import logging
import time
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from lumeire.core.models import WorkerHeartbeat
from lumeire.core.tests.worker_processes import WorkerDatabase, wait_for
from lumeire.core.tests.worker_tasks import finishes, lose_own_lease, mark_slowly, starts
from lumeire.core.worker import TaskWorker, requeue_abandoned, take_back

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def database_queue(settings):
    """The queue `make run` uses, instead of the tests' run-at-once backend."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.LUMEIRE_TASK_LEASE_SECONDS = 60
    settings.LUMEIRE_TASK_MAX_ATTEMPTS = 3


@pytest.fixture
def worker_db(database_queue, tmp_path):
    database = WorkerDatabase(tmp_path)
    yield database
    database.close()


@pytest.fixture
def marks(tmp_path):
    folder = tmp_path / "marks"
    folder.mkdir()
    return folder


def _worker(worker_id: str = "in-process", **options) -> TaskWorker:
    values = {
        "queue_names": ["default"],
        "interval": 0,
        "batch": True,
        "backend_name": "default",
        "startup_delay": False,
        "max_tasks": None,
        "worker_id": worker_id,
        "excluded_queue_names": [],
        "periodic": False,
        **options,
    }
    return TaskWorker(**values)


def _running(task_path: str, worker_ids: list[str], started: timedelta) -> DBTaskResult:
    return DBTaskResult.objects.create(
        task_path=task_path,
        status="RUNNING",
        args_kwargs={"args": [], "kwargs": {}},
        run_after=timezone.now() - started,
        started_at=timezone.now() - started,
        worker_ids=worker_ids,
        backend_name="default",
    )


def _beat(worker_id: str, ago: timedelta) -> None:
    at = timezone.now() - ago
    WorkerHeartbeat.objects.create(worker_id=worker_id, host="h", pid=1, started_at=at, beat_at=at)


# --- Leases, in this process ------------------------------------------------------------------


def test_a_running_task_of_a_silent_worker_goes_back_to_the_queue_and_others_stay(database_queue):
    path = "lumeire.core.tests.worker_tasks.mark_slowly"
    _beat("silent", timedelta(seconds=61))
    _beat("alive", timedelta(seconds=2))
    abandoned = _running(path, ["silent"], timedelta(minutes=5))
    long_but_alive = _running(path, ["alive"], timedelta(minutes=5))
    just_claimed = _running(path, ["never-beat"], timedelta(seconds=10))
    never_beat = _running(path, ["never-beat"], timedelta(seconds=61))

    taken = requeue_abandoned()

    assert sorted(item.task_id for item in taken) == sorted([str(abandoned.pk), str(never_beat.pk)])
    statuses = dict(DBTaskResult.objects.values_list("pk", "status"))
    assert statuses == {
        abandoned.pk: "READY",
        long_but_alive.pk: "RUNNING",
        just_claimed.pk: "RUNNING",
        never_beat.pk: "READY",
    }
    # Back to READY keeps its attempts: the next claim adds the next worker.
    assert DBTaskResult.objects.get(pk=abandoned.pk).worker_ids == ["silent"]
    assert requeue_abandoned() == []


def test_two_workers_taking_back_the_same_task_take_it_back_once(database_queue):
    _beat("silent", timedelta(minutes=2))
    row = _running("lumeire.core.tests.worker_tasks.mark_slowly", ["silent"], timedelta(minutes=5))
    seen_by_one = DBTaskResult.objects.get(pk=row.pk)
    seen_by_other = DBTaskResult.objects.get(pk=row.pk)
    first = take_back(seen_by_one, now=timezone.now(), why="silent")
    second = take_back(seen_by_other, now=timezone.now(), why="silent")
    assert first is not None and first.state == "ready"
    assert second is None


def test_a_task_started_too_often_fails_with_the_reason(database_queue, caplog):
    _beat("w3", timedelta(minutes=2))
    row = _running(
        "lumeire.core.tests.worker_tasks.mark_slowly", ["w1", "w2", "w3"], timedelta(minutes=5)
    )
    with caplog.at_level(logging.ERROR, logger="lumeire.core.worker"):
        taken = requeue_abandoned()
    assert [item.state for item in taken] == ["failed"]
    failed = DBTaskResult.objects.get(pk=row.pk)
    assert failed.status == "FAILED"
    assert failed.exception_class_path == "lumeire.core.worker.TaskAttemptsExhausted"
    assert "started 3 times without finishing" in failed.traceback
    assert "LUMEIRE_TASK_MAX_ATTEMPTS=3" in failed.traceback
    assert [record.event for record in caplog.records] == ["task_given_up"]


def test_the_worker_runs_queued_tasks_and_leaves_its_heartbeat_when_done(database_queue, marks):
    result = mark_slowly.enqueue(str(marks), 0)
    _worker("batch-worker").run()
    row = DBTaskResult.objects.get(pk=result.id)
    assert (row.status, row.return_value, row.worker_ids) == (
        "SUCCESSFUL",
        "finished",
        ["batch-worker"],
    )
    assert len(finishes(marks)) == 1
    assert not WorkerHeartbeat.objects.filter(worker_id="batch-worker").exists()


def test_a_worker_that_lost_its_lease_does_not_overwrite_the_run_that_replaced_it(
    database_queue, caplog
):
    result = lose_own_lease.enqueue("the-replacement")
    with caplog.at_level(logging.WARNING, logger="lumeire.core.worker"):
        _worker("stalled", max_tasks=1, batch=False).run()
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == "RUNNING"  # the replacement's run, untouched
    assert row.worker_ids == ["stalled", "the-replacement"]
    assert row.return_value is None
    assert "task_lease_lost" in [getattr(record, "event", "") for record in caplog.records]


# --- Real processes ---------------------------------------------------------------------------


def test_a_worker_killed_mid_task_is_replaced_after_the_lease_and_the_task_finishes_once(
    worker_db, marks
):
    # Made due once both workers are up: whichever claims it is killed, the other must finish it.
    result = mark_slowly.using(run_after=timezone.now() + timedelta(hours=1)).enqueue(
        str(marks), 2.0
    )
    worker_db.publish()
    workers = [worker_db.start_worker("worker-a"), worker_db.start_worker("worker-b")]
    for worker in workers:
        worker.wait_started()
    assert not starts(marks)
    worker_db.make_due(result.id)
    first_start = wait_for(lambda: starts(marks), timeout=30, what="a worker to start the task")
    pid = int(first_start[0].name.split("-")[1])
    killed = next(worker for worker in workers if worker.process.pid == pid)
    survivor = next(worker for worker in workers if worker is not killed)
    killed.process.kill()  # SIGKILL: no clean-up of any kind
    killed_at = time.time()
    killed.process.wait(timeout=10)

    wait_for(lambda: finishes(marks), timeout=30, what="the task to finish")
    retried_at = float(starts(marks)[-1].read_text())
    finished = finishes(marks)
    assert len(starts(marks)) == 2
    assert len(finished) == 1
    assert finished[0].split()[0] == str(survivor.process.pid)
    # Lease 3 s, heartbeat 1 s: taken back after the lease (its last beat may be up to a beat
    # before the kill), within a few of the survivor's turns even on a loaded machine.
    assert 2.0 <= retried_at - killed_at <= 3 + 6, retried_at - killed_at
    _, worker_ids = wait_for(
        lambda: (row := worker_db.task_row(result.id))[0] == "SUCCESSFUL" and row,
        timeout=10,
        what="the result to be written",
    )
    assert worker_ids == [killed.worker_id, survivor.worker_id]
    assert [event["task_id"] for event in survivor.events("task_requeued")] == [result.id]

    assert survivor.stop() == 0  # SIGTERM: a clean exit
    beating = {worker for (worker,) in worker_db.rows("SELECT worker_id FROM core_workerheartbeat")}
    assert beating == {killed.worker_id}  # the killed one never said goodbye; it ages out


def test_a_worker_waits_out_a_database_outage_and_goes_on(worker_db, marks, tmp_path):
    cut_off = mark_slowly.enqueue(str(marks), 2.0, touch_database=True)
    later_marks = tmp_path / "later"
    later_marks.mkdir()
    later = mark_slowly.using(run_after=timezone.now() + timedelta(seconds=12)).enqueue(
        str(later_marks), 0
    )
    worker_db.publish()
    worker = worker_db.start_worker("outlasting-worker")
    wait_for(lambda: starts(marks), timeout=30, what="the worker to start the task")
    with worker_db.outage():
        time.sleep(4)
        assert worker.process.poll() is None
    wait_for(lambda: later_marks.joinpath("finished").exists(), timeout=40, what="later task")

    assert worker.process.poll() is None
    unreachable = worker.events("task_worker_database_unreachable")
    assert unreachable and all(event["level"] == "WARNING" for event in unreachable)
    waits = [event["retry_in_seconds"] for event in unreachable]
    assert waits[:3] == [1.0, 2.0, 4.0][: len(waits[:3])]
    assert worker.events("task_worker_database_back")
    assert worker_db.task_row(later.id) == ("SUCCESSFUL", ["outlasting-worker"])
    _, worker_ids = wait_for(
        lambda: (row := worker_db.task_row(cut_off.id))[0] == "SUCCESSFUL" and row,
        timeout=20,
        what="the task the outage cut off to finish",
    )
    assert len(finishes(marks)) == 1
    if worker_db.vendor == "postgresql":
        # The outage cut the running task's connection: it ran again once the database was back.
        assert len(starts(marks)) == 2
        assert worker_ids == ["outlasting-worker", "outlasting-worker"]
    assert worker.stop() == 0


def test_sigterm_lets_the_running_task_finish_then_the_worker_leaves(worker_db, marks):
    result = mark_slowly.enqueue(str(marks), 2.0)
    worker_db.publish()
    worker = worker_db.start_worker("draining-worker")
    wait_for(lambda: starts(marks), timeout=30, what="the worker to start the task")
    assert worker.stop() == 0  # SIGTERM mid-task
    assert len(finishes(marks)) == 1
    assert worker_db.task_row(result.id) == ("SUCCESSFUL", ["draining-worker"])
    assert worker_db.rows("SELECT worker_id FROM core_workerheartbeat") == []
