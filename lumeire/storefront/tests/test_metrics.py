"""/metrics: Prometheus text for the scrape addresses only, and figures that move with the store."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max
from prometheus_client.parser import text_string_to_metric_families

from lumeire.accounts.tests.factories import make_customer
from lumeire.accounts.tests.web_sign_in import sign_in
from lumeire.compliance.models import Case

pytestmark = pytest.mark.django_db

SCRAPER = "10.0.0.9"
CONTRACT_NAMES = {
    "lumeire_http_requests",
    "lumeire_http_request_duration_seconds",
    "lumeire_task_queue_depth",
    "lumeire_task_queue_oldest_age_seconds",
    "lumeire_sign_in_lockouts",
    "lumeire_detection_cases_opened",
    "lumeire_periodic_tasks_overdue",
}


@pytest.fixture
def scrape(settings):
    settings.LUMEIRE_METRICS_ALLOWED = ("10.0.0.0/24",)
    # The store's task queue (the suite runs tasks at once, with no queue).
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }

    def read() -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
        response = Client().get("/metrics", REMOTE_ADDR=SCRAPER)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/plain; version=")
        samples = {}
        for family in text_string_to_metric_families(response.content.decode()):
            for sample in family.samples:
                samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
        return samples

    return read


def test_nobody_may_read_metrics_by_default():
    response = Client().get("/metrics", REMOTE_ADDR="127.0.0.1")

    assert response.status_code == 404
    assert b"lumeire_" not in response.content


def test_only_the_configured_addresses_may_read_metrics(settings):
    settings.LUMEIRE_METRICS_ALLOWED = ("10.0.0.0/24", "192.0.2.7/32")

    allowed = [
        Client().get("/metrics", REMOTE_ADDR=a).status_code for a in ("10.0.0.9", "192.0.2.7")
    ]
    refused = [
        Client().get("/metrics", REMOTE_ADDR=a).status_code for a in ("10.0.1.9", "127.0.0.1")
    ]

    assert allowed == [200, 200]
    assert refused == [404, 404]


def test_a_forwarded_address_counts_only_from_a_trusted_proxy(settings):
    settings.LUMEIRE_METRICS_ALLOWED = (SCRAPER,)
    settings.LUMEIRE_TRUSTED_PROXIES = ("127.0.0.1",)

    forged = Client().get("/metrics", REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR=SCRAPER)
    proxied = Client().get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=SCRAPER)

    assert forged.status_code == 404
    assert proxied.status_code == 200


def test_every_metric_of_the_contract_is_there_after_a_request(settings, scrape):
    Client().get("/healthz")

    samples = scrape()

    names = {name for name, _labels in samples}
    for name in CONTRACT_NAMES:
        assert any(found == name or found.startswith(name + "_") for found in names), name
    assert ("lumeire_http_requests_total", ()) not in samples  # always labelled


def test_requests_are_counted_by_method_route_and_status(scrape):
    key = (
        "lumeire_http_requests_total",
        (("method", "GET"), ("route", "/healthz"), ("status", "200")),
    )
    missing = (
        "lumeire_http_requests_total",
        (("method", "GET"), ("route", "unmatched"), ("status", "404")),
    )
    before = scrape()

    for _ in range(3):
        Client().get("/healthz")
    Client().get("/no-such-page-at-all")
    after = scrape()

    assert after[key] - before.get(key, 0) == 3
    assert after[missing] - before.get(missing, 0) == 1
    count = ("lumeire_http_request_duration_seconds_count", (("route", "/healthz"),))
    assert after[count] - before.get(count, 0) == 3


def test_language_prefixes_do_not_multiply_routes(scrape):
    Client().get("/en/privacy/")
    Client().get("/ar/privacy/")

    samples = scrape()

    routes = {
        dict(labels).get("route")
        for name, labels in samples
        if name == "lumeire_http_requests_total"
    }
    assert "/privacy/" in routes
    assert not any(route.startswith(("/en/", "/ar/", "en/")) for route in routes if route)


def test_a_lockout_is_counted_once_not_for_every_refused_attempt(scrape):
    make_customer(username="noura")
    key = ("lumeire_sign_in_lockouts_total", ())
    before = scrape()[key]
    browser = Client()

    answers = [sign_in(browser, "noura", "a wrong password, again").status_code for _ in range(7)]
    after = scrape()[key]

    assert answers[4:] == [429, 429, 429]
    assert after - before == 1


def test_queue_depth_and_age_come_from_the_ready_tasks(scrape):
    now = timezone.now()

    def queued(*, minutes_ago: int, run_after=None, status="READY", queue="default"):
        row = DBTaskResult.objects.create(
            task_path="lumeire.compliance.tasks.detection_sweep",
            args_kwargs={"args": [], "kwargs": {}},
            queue_name=queue,
            backend_name="default",
            run_after=run_after or get_date_max(),
            status=status,
        )
        DBTaskResult.objects.filter(pk=row.pk).update(
            enqueued_at=now - timedelta(minutes=minutes_ago)
        )

    queued(minutes_ago=7)
    queued(minutes_ago=1)
    queued(minutes_ago=30, status="SUCCESSFUL")
    queued(minutes_ago=60, run_after=now + timedelta(hours=1))  # not due yet
    queued(minutes_ago=60, run_after=now - timedelta(minutes=3))  # due for three minutes

    samples = scrape()

    assert samples[("lumeire_task_queue_depth", (("queue", "default"),))] == 3
    age = samples[("lumeire_task_queue_oldest_age_seconds", (("queue", "default"),))]
    assert 7 * 60 <= age < 8 * 60


def test_an_empty_queue_reports_zero(scrape):
    samples = scrape()

    assert samples[("lumeire_task_queue_depth", (("queue", "default"),))] == 0
    assert samples[("lumeire_task_queue_oldest_age_seconds", (("queue", "default"),))] == 0


def test_opened_cases_are_counted_from_the_database(scrape):
    key = ("lumeire_detection_cases_opened_total", ())
    before = scrape()[key]

    Case.objects.create(client_ref="a" * 64)
    Case.objects.create(client_ref="b" * 64)
    after = scrape()[key]

    assert after - before == 2
