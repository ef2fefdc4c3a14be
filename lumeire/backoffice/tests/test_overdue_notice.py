"""The back office home tells staff when a periodic background task is overdue."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from lumeire.backoffice.tests.factories import make_staff, staff_client
from lumeire.core.periodic import schedule_periodic_pass

pytestmark = pytest.mark.django_db(transaction=True)
NOTICE = 'id="overdue-periodic-tasks"'


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.LUMEIRE_PERIODIC_GRACE_SECONDS = 60


def test_the_home_names_an_overdue_task_in_english_and_arabic(database_queue):
    client = staff_client(make_staff())
    assert NOTICE not in client.get("/backoffice/").content.decode()

    # Queued ten minutes ago and never run: no worker is taking the queue.
    schedule_periodic_pass(now=timezone.now() - timedelta(minutes=10))
    page = client.get("/backoffice/").content.decode()
    assert NOTICE in page
    assert "Background work is overdue." in page
    assert 'data-task="lumeire.audit.tasks.audit_anchor_task"' in page
    assert "audit_anchor_task: its run due " in page

    arabic = client.get("/backoffice/", HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert "تأخّرت أعمال في الخلفية عن موعدها." in arabic
    assert "audit_anchor_task: لم ينجح تشغيلها الذي حلّ موعده منذ" in arabic


def test_no_notice_while_tasks_run_at_once():
    client = staff_client(make_staff())
    schedule_periodic_pass(now=timezone.now() - timedelta(minutes=10))
    assert NOTICE not in client.get("/backoffice/").content.decode()
