"""Prometheus metrics: requests, latency, sign-in lockouts, the task queue and detection.

Counted in the process that sees the event: requests by method, route and status, their
duration by route, sign-in lockouts. gunicorn runs several worker processes; with
``PROMETHEUS_MULTIPROC_DIR`` in the process environment (read by prometheus_client itself, so
it must be a real environment variable, emptied before gunicorn starts) each process writes its
counts there and any worker's scrape adds them up.

Read from the database at scrape time, because other processes or other nodes make them: the
task queue's depth and oldest waiting task per queue, the detection cases opened so far and the
periodic tasks that are overdue. Every node reports the same figures for these; aggregate them
with ``max``, not ``sum``.

``/metrics`` answers only clients in ``LUMEIRE_METRICS_ALLOWED``; anyone else gets the ordinary
404, so the path's existence does not show.
"""

from __future__ import annotations

import ipaddress
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime

from django.apps import apps
from django.conf import settings
from django.db.models import Count, Max, Min
from django.db.models.functions import Greatest
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    values,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector

from lumeire.core import periodic
from lumeire.core.client import client_address

logger = logging.getLogger(__name__)

# The store's own metrics, apart from the library's default registry.
_REGISTRY = CollectorRegistry(auto_describe=True)

HTTP_REQUESTS = Counter(
    "lumeire_http_requests",
    "HTTP requests answered, by method, route and status.",
    ["method", "route", "status"],
    registry=_REGISTRY,
)
HTTP_DURATION = Histogram(
    "lumeire_http_request_duration_seconds",
    "Time to answer an HTTP request, by route.",
    ["route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
    registry=_REGISTRY,
)
SIGN_IN_LOCKOUTS = Counter(
    "lumeire_sign_in_lockouts",
    "Sign-in lockouts: an account or a client address locked after repeated failures.",
    registry=_REGISTRY,
)

_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED_ROUTE = "unmatched"


def count_sign_in_lockout() -> None:
    """One more sign-in lockout (called when django-axes locks a login or an address)."""
    SIGN_IN_LOCKOUTS.inc()


def _language_prefixes() -> tuple[str, ...]:
    return tuple(f"{code}/" for code, _name in settings.LANGUAGES)


def route_of(request: HttpRequest) -> str:
    """The URL pattern that answered, without the language prefix: a bounded label."""
    match = getattr(request, "resolver_match", None)
    route = getattr(match, "route", None)
    if not route:
        return UNMATCHED_ROUTE
    for prefix in _language_prefixes():
        if route.startswith(prefix):
            route = route[len(prefix) :]
            break
    return "/" + route


class MetricsMiddleware:
    """Count every answer by method, route and status, and time it by route."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        status = 500
        try:
            response = self.get_response(request)
            status = response.status_code
            return response
        finally:
            route = route_of(request)
            method = request.method if request.method in _METHODS else "other"
            HTTP_REQUESTS.labels(method=method, route=route, status=str(status)).inc()
            HTTP_DURATION.labels(route=route).observe(time.perf_counter() - started)


# --- Read at scrape time ----------------------------------------------------------------------


def _task_queues() -> set[str]:
    queues: set[str] = set()
    for backend in getattr(settings, "TASKS", {}).values():
        if backend.get("BACKEND", "").startswith("django_tasks_db."):
            queues.update(backend.get("QUEUES") or ["default"])
    return queues


def _queue_metrics(now: datetime) -> Iterator[Metric]:
    from django_tasks_db.models import DBTaskResult, get_date_max

    depth = dict.fromkeys(_task_queues(), 0)
    due_since: dict[str, datetime] = {}
    ready = DBTaskResult.objects.ready()
    # A task without a run_after waits since it was queued; a deferred one since it fell due.
    grouped = [
        ready.filter(run_after=get_date_max())
        .values("queue_name")
        .annotate(waiting=Count("id"), since=Min("enqueued_at")),
        ready.exclude(run_after=get_date_max())
        .values("queue_name")
        .annotate(waiting=Count("id"), since=Min(Greatest("enqueued_at", "run_after"))),
    ]
    for rows in grouped:
        for row in rows:
            queue = row["queue_name"]
            depth[queue] = depth.get(queue, 0) + row["waiting"]
            if row["since"] is not None and (
                queue not in due_since or row["since"] < due_since[queue]
            ):
                due_since[queue] = row["since"]
    depth_family = GaugeMetricFamily(
        "lumeire_task_queue_depth", "Background tasks ready to run, by queue.", labels=["queue"]
    )
    age_family = GaugeMetricFamily(
        "lumeire_task_queue_oldest_age_seconds",
        "How long the oldest ready task has waited, by queue (0 when none waits).",
        labels=["queue"],
    )
    for queue in sorted(depth):
        depth_family.add_metric([queue], depth[queue])
        since = due_since.get(queue)
        age_family.add_metric([queue], max(0.0, (now - since).total_seconds()) if since else 0.0)
    yield depth_family
    yield age_family


def _cases_opened() -> Iterator[Metric]:
    # Through the app registry: core sits below every domain app and imports none of them.
    # Case numbers are never reused, so the highest is how many cases were ever opened, and it
    # does not fall when old cases are purged.
    case_model = apps.get_model("compliance", "Case")
    highest = case_model.objects.aggregate(highest=Max("id"))["highest"] or 0
    family = CounterMetricFamily(
        "lumeire_detection_cases_opened",
        "Irregular-activity cases opened by detection since the store began.",
    )
    family.add_metric([], highest)
    yield family


def _periodic_overdue() -> Iterator[Metric]:
    overdue = getattr(periodic, "overdue_periodic_tasks", None)
    if overdue is None:
        return
    family = GaugeMetricFamily(
        "lumeire_periodic_tasks_overdue", "Periodic background tasks that missed their run."
    )
    family.add_metric([], len(overdue()))
    yield family


class StoreCollector:
    """What the database knows, read at each scrape; a reader that fails is left out."""

    def describe(self) -> Iterable[Metric]:
        return []

    def collect(self) -> Iterator[Metric]:
        now = timezone.now()
        readers = (lambda: _queue_metrics(now), _cases_opened, _periodic_overdue)
        for reader in readers:
            try:
                families = list(reader())
            except Exception as error:  # one reading lost, not the whole scrape
                logger.warning(
                    "metrics: a reading failed",
                    extra={"event": "metrics_reading_failed", "error": type(error).__name__},
                )
                continue
            yield from families


def _multiprocess() -> bool:
    # prometheus_client chose this when it was imported, from PROMETHEUS_MULTIPROC_DIR.
    return values.ValueClass is not values.MutexValue


def metrics_text() -> bytes:
    """The exposition text: this process's (or all processes') counts, and the database's."""
    registry = CollectorRegistry(auto_describe=False)
    if _multiprocess():
        MultiProcessCollector(registry)
        body = generate_latest(registry)
    else:
        body = generate_latest(_REGISTRY)
    store = CollectorRegistry(auto_describe=False)
    store.register(StoreCollector())
    return body + generate_latest(store)


def scrape_allowed(request: HttpRequest) -> bool:
    """Whether the client's address is one of ``LUMEIRE_METRICS_ALLOWED``."""
    allowed = getattr(settings, "LUMEIRE_METRICS_ALLOWED", ())
    address = client_address(request)
    if not allowed or not address:
        return False
    try:
        client = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(client in ipaddress.ip_network(network, strict=False) for network in allowed)


@never_cache
@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    """The Prometheus scrape; a 404 like any unknown path for every other client."""
    if not scrape_allowed(request):
        raise Http404
    return HttpResponse(metrics_text(), content_type=CONTENT_TYPE_LATEST)
