"""Periodic tasks: one run per slot however many schedulers run, and a watchdog that raises
the alarm when a slot's run has not succeeded."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from lumeire.core.models import PeriodicSlot
from lumeire.core.periodic import (
    overdue_periodic_tasks,
    periodic_tasks,
    periodic_watchdog_pass,
    schedule_periodic_pass,
    slot_start,
)
from lumeire.core.tests.worker_processes import WorkerDatabase, run_queue_here

pytestmark = pytest.mark.django_db(transaction=True)

ANCHOR = "lumeire.audit.tasks.audit_anchor_task"
SWEEP = "lumeire.compliance.tasks.detection_sweep"
PURGE = "lumeire.privacy.tasks.purge_expired_task"


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.LUMEIRE_PERIODIC_GRACE_SECONDS = 60


def _yesterday(hours: int = 0, minutes: int = 0, seconds: int = 0) -> datetime:
    midnight = timezone.now().astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight - timedelta(days=1) + timedelta(hours=hours, minutes=minutes, seconds=seconds)


def _runs(path: str) -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path=path).order_by("run_after"))


def test_slots_are_aligned_to_the_period_in_utc():
    moment = datetime(2030, 5, 17, 10, 37, 12, 500, tzinfo=UTC)
    assert slot_start(timedelta(minutes=15), moment) == datetime(2030, 5, 17, 10, 30, tzinfo=UTC)
    assert slot_start(timedelta(minutes=1), moment) == datetime(2030, 5, 17, 10, 37, tzinfo=UTC)
    assert slot_start(timedelta(days=1), moment) == datetime(2030, 5, 17, tzinfo=UTC)
    riyadh = moment.astimezone(timezone.get_fixed_timezone(180))
    assert slot_start(timedelta(days=1), riyadh) == datetime(2030, 5, 17, tzinfo=UTC)


def test_a_pass_queues_each_slot_once_and_the_next_slot_gets_its_own_run(database_queue):
    at = _yesterday(minutes=7, seconds=30)
    first = {o.path: o.state for o in schedule_periodic_pass(now=at)}
    again = {o.path: o.state for o in schedule_periodic_pass(now=at + timedelta(seconds=20))}
    assert first == {ANCHOR: "queued", SWEEP: "queued", PURGE: "queued"}
    assert again == {ANCHOR: "taken", SWEEP: "taken", PURGE: "taken"}
    assert [run.run_after for run in _runs(ANCHOR)] == [_yesterday(minutes=7)]
    assert [run.run_after for run in _runs(SWEEP)] == [_yesterday()]
    assert [run.run_after for run in _runs(PURGE)] == [_yesterday()]

    run_queue_here("periodic-test")  # the runs end, so the next slot is not held back
    schedule_periodic_pass(now=at + timedelta(minutes=1))
    assert [run.run_after for run in _runs(ANCHOR)] == [
        _yesterday(minutes=7),
        _yesterday(minutes=8),
    ]
    assert len(_runs(SWEEP)) == 1 and len(_runs(PURGE)) == 1
    slot = PeriodicSlot.objects.get(task_path=ANCHOR, slot_start=_yesterday(minutes=8))
    assert str(slot.task_result_id) == str(_runs(ANCHOR)[1].pk)


def test_a_run_still_waiting_holds_the_next_slot_back_until_it_ends(database_queue):
    at = _yesterday(minutes=7, seconds=30)
    schedule_periodic_pass(now=at)
    later = {o.path: o.state for o in schedule_periodic_pass(now=at + timedelta(minutes=1))}
    assert later[ANCHOR] == "waiting"
    assert len(_runs(ANCHOR)) == 1
    run_queue_here("periodic-test")
    later = {o.path: o.state for o in schedule_periodic_pass(now=at + timedelta(minutes=1))}
    assert later[ANCHOR] == "queued"


def test_the_run_at_once_backend_gets_no_scheduled_runs():
    outcomes = schedule_periodic_pass()
    assert {outcome.state for outcome in outcomes} == {"immediate"}
    assert not PeriodicSlot.objects.exists()
    assert not DBTaskResult.objects.exists()
    assert overdue_periodic_tasks() == []
    out = StringIO()
    call_command("schedule_periodic", stdout=out)
    assert f"{PURGE}: not scheduled (the task backend runs tasks at once)" in out.getvalue()


def test_old_slots_are_forgotten(database_queue):
    schedule_periodic_pass(now=_yesterday(minutes=1) - timedelta(days=3))
    schedule_periodic_pass(now=_yesterday(minutes=1))
    assert not PeriodicSlot.objects.filter(slot_start__lt=_yesterday() - timedelta(days=2)).exists()


def test_schedulers_racing_in_parallel_queue_one_run_per_slot(database_queue):
    threads_per_round, rounds = 4, 5
    errors: list[BaseException] = []

    def scheduler(barrier: threading.Barrier, at: datetime) -> None:
        try:
            barrier.wait(timeout=10)
            schedule_periodic_pass(now=at)
        except BaseException as error:  # reported by the test below
            errors.append(error)
        finally:
            connection.close()

    for minute in range(rounds):
        at = _yesterday(hours=1, minutes=minute, seconds=5)
        barrier = threading.Barrier(threads_per_round)
        threads = [
            threading.Thread(target=scheduler, args=(barrier, at)) for _ in range(threads_per_round)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        # The runs end, so the next minute's slot is free to be queued.
        run_queue_here("periodic-test")

    # SQLite's in-memory test database locks whole tables between connections without waiting
    # (a store's SQLite file waits instead): a scheduler that meets the lock queues nothing.
    assert [
        error
        for error in errors
        if not (connection.vendor == "sqlite" and "database table is locked" in str(error))
    ] == []
    anchor_runs = [run.run_after for run in _runs(ANCHOR)]
    assert anchor_runs == [_yesterday(hours=1, minutes=minute) for minute in range(rounds)]
    assert len(_runs(SWEEP)) == 1 and len(_runs(PURGE)) == 1
    assert PeriodicSlot.objects.filter(task_path=ANCHOR).count() == rounds


def test_two_schedule_periodic_processes_at_once_queue_one_run_per_slot(database_queue, tmp_path):
    database = WorkerDatabase(tmp_path)
    database.publish()
    for _ in range(3):
        both = [database.manage("schedule_periodic"), database.manage("schedule_periodic")]
        outputs = [process.communicate(timeout=60) for process in both]
        assert [process.returncode for process in both] == [0, 0], outputs
    per_slot = database.rows(
        "SELECT task_path, slot_start, COUNT(*) FROM core_periodicslot "
        "GROUP BY task_path, slot_start"
    )
    runs = dict(
        database.rows(
            "SELECT task_path, COUNT(*) FROM django_tasks_database_dbtaskresult GROUP BY task_path"
        )
    )
    slots = {path: sum(1 for row in per_slot if row[0] == path) for path in (ANCHOR, SWEEP, PURGE)}
    assert {count for (_, _, count) in per_slot} == {1}
    assert runs == slots  # one run for each slot, however many processes asked
    assert slots[PURGE] == 1


# --- The watchdog -----------------------------------------------------------------------------


def test_a_slot_without_a_successful_run_is_overdue_and_logged_once(database_queue, caplog):
    schedule_periodic_pass(now=_yesterday(seconds=10))  # queued, never run
    # Anchor (every minute): its 00:00 slot was due at 00:01, plus a minute's grace.
    assert overdue_periodic_tasks(now=_yesterday(minutes=1, seconds=59)) == []
    checked_at = _yesterday(minutes=2, seconds=30)
    overdue = overdue_periodic_tasks(now=checked_at)
    assert [(item.path, item.slot_start, item.late_by) for item in overdue] == [
        (ANCHOR, _yesterday(), timedelta(seconds=90))
    ]
    assert overdue[0].name == "audit_anchor_task"

    with caplog.at_level(logging.ERROR, logger="lumeire.core.periodic"):
        periodic_watchdog_pass(now=checked_at)
        periodic_watchdog_pass(now=checked_at + timedelta(seconds=5))  # another worker's pass
    alerts = [r for r in caplog.records if getattr(r, "event", "") == "periodic_task_overdue"]
    assert len(alerts) == 1
    assert alerts[0].levelname == "ERROR"
    assert (alerts[0].task, alerts[0].late_seconds) == (ANCHOR, 90)


def test_a_successful_run_ends_the_alarm_and_a_failed_one_does_not(database_queue, monkeypatch):
    schedule_periodic_pass(now=_yesterday(seconds=10))
    checked_at = _yesterday(minutes=2, seconds=30)

    def broken(**kwargs):
        raise RuntimeError("the anchor could not be signed")

    # Named by path: the core layer imports no audit code.
    monkeypatch.setattr("lumeire.audit.anchors.audit_anchor", broken)
    run_queue_here("periodic-test")
    assert DBTaskResult.objects.get(task_path=ANCHOR).status == "FAILED"
    assert [item.path for item in overdue_periodic_tasks(now=checked_at)] == [ANCHOR]

    monkeypatch.undo()
    schedule_periodic_pass(now=_yesterday(minutes=2, seconds=10))  # the next slot's run
    run_queue_here("periodic-test")
    assert overdue_periodic_tasks(now=checked_at) == []


def test_a_task_never_scheduled_before_is_not_overdue(database_queue):
    # A fresh store: nothing ran yesterday because nothing was scheduled yet.
    schedule_periodic_pass(now=_yesterday(hours=12))
    assert overdue_periodic_tasks(now=_yesterday(hours=12, seconds=30)) == []


def test_every_registered_periodic_task_is_watched(database_queue):
    assert [entry.path for entry in periodic_tasks()] == [ANCHOR, SWEEP, PURGE]
