"""The retention pass runs by itself: a periodic task the worker queues once per period."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from lumeire.accounts.models import RecoveryToken
from lumeire.accounts.tests.factories import make_customer
from lumeire.core.periodic import periodic_tasks, schedule_periodic_pass
from lumeire.core.tokens import secret_hash
from lumeire.privacy.tasks import purge_expired_task

pytestmark = pytest.mark.django_db(transaction=True)
PATH = "lumeire.privacy.tasks.purge_expired_task"


@pytest.fixture
def database_queue(settings):
    """The queue `make run` uses, instead of the tests' run-at-once backend."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _waiting():
    return DBTaskResult.objects.filter(task_path=PATH, status="READY")


def test_the_purge_is_a_registered_periodic_task_with_a_daily_default(settings):
    entry = {entry.path: entry for entry in periodic_tasks()}[PATH]
    assert entry.every == timedelta(days=1)
    settings.LUMEIRE_PURGE_EVERY_MINUTES = 90
    assert entry.every == timedelta(minutes=90)


def test_scheduling_queues_one_run_however_often_it_is_asked(database_queue):
    out = StringIO()
    call_command("schedule_periodic", stdout=out)
    call_command("schedule_periodic", stdout=out)
    assert _waiting().count() == 1
    assert f"{PATH}: queued for the slot of" in out.getvalue()
    assert f"{PATH}: the slot of" in out.getvalue()
    assert "already has its run" in out.getvalue()


def test_the_worker_runs_the_purge_and_the_next_day_gets_one_run_more(database_queue):
    customer = make_customer()
    expired = RecoveryToken.objects.create(
        user=customer,
        token_hash=secret_hash("an expired recovery token"),
        expires_at=timezone.now() - timedelta(minutes=1),
    )
    call_command("schedule_periodic", stdout=StringIO())
    call_command(
        "task_worker", "--batch", "--no-startup-delay", stdout=StringIO(), stderr=StringIO()
    )

    assert not RecoveryToken.objects.filter(pk=expired.pk).exists()
    finished = DBTaskResult.objects.get(task_path=PATH, status="SUCCESSFUL")
    assert finished.return_value["recovery_tokens"] == 1
    assert not _waiting().exists()  # the run does not queue another
    tomorrow = timezone.now() + timedelta(days=1)
    schedule_periodic_pass(now=tomorrow)
    schedule_periodic_pass(now=tomorrow)
    next_run = _waiting().get()
    assert next_run.run_after == tomorrow.replace(hour=0, minute=0, second=0, microsecond=0)


def test_a_failed_pass_does_not_stop_the_schedule(database_queue, monkeypatch):
    import lumeire.privacy.retention as retention

    def broken(now=None):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(retention, "purge_expired", broken)
    call_command("schedule_periodic", stdout=StringIO())
    call_command(
        "task_worker", "--batch", "--no-startup-delay", stdout=StringIO(), stderr=StringIO()
    )
    assert DBTaskResult.objects.filter(task_path=PATH, status="FAILED").count() == 1
    schedule_periodic_pass(now=timezone.now() + timedelta(days=1))
    assert _waiting().get().run_after > timezone.now()


def test_the_run_at_once_backend_runs_the_purge_without_queueing_another():
    result = purge_expired_task.enqueue()
    assert set(result.return_value) >= {"recovery_tokens", "sessions", "erasures"}
    assert not DBTaskResult.objects.exists()
