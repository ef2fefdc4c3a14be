"""Liveness and readiness, for the load balancer and the supervisor.

``/healthz`` says only that this process answers: it touches neither the database nor Redis, so
a supervisor never restarts a healthy process because something else is down.

``/readyz`` says whether this node should get traffic: the database answers, Redis answers
(when configured), and this node's keys open the store's existing data. Each check has about a
second; a check still running after that counts as failed, and the answer names what failed.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from django.core.cache import caches
from django.db import DatabaseError, connections
from django.http import HttpRequest, JsonResponse
from django.utils.module_loading import import_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from lumeire.core.selectors import database_is_reachable

logger = logging.getLogger(__name__)

CHECK_SECONDS = 1.0
# The vault's check, by name: core sits below the vault and imports none of it.
KEY_CHECK = "lumeire.vault.keycheck.keys_open_existing_data"

# A check that hangs is not started again while it still runs (one stuck thread at most).
_running: set[str] = set()
_running_lock = threading.Lock()


def _database_check() -> str:
    connection = connections["default"]
    try:
        if connection.vendor == "postgresql":
            # Set before the check's query, on this thread's own connection (closed below).
            with connection.cursor() as cursor:
                cursor.execute(f"SET statement_timeout = {int(CHECK_SECONDS * 1000)}")
        return "ok" if database_is_reachable() else "unreachable"
    except DatabaseError:
        return "unreachable"


def _redis_check(ping: Callable[[], bool]) -> Callable[[], str]:
    return lambda: "ok" if ping() else "unreachable"


def _key_check() -> str:
    try:
        keys_open_existing_data = import_string(KEY_CHECK)
    except ImportError:
        return "skip"
    return "ok" if keys_open_existing_data() else "mismatch"


def _within(name: str, check: Callable[[], str], failed: str) -> str:
    """Run ``check`` in its own thread; ``failed`` if it raises or takes too long."""
    with _running_lock:
        if name in _running:
            return failed
        _running.add(name)
    outcome: list[str] = []

    def run() -> None:
        try:
            outcome.append(check())
        except Exception:
            logger.warning("readiness check failed", extra={"check": name}, exc_info=False)
        finally:
            connections.close_all()  # this thread's connections, which no one else reuses
            with _running_lock:
                _running.discard(name)

    worker = threading.Thread(target=run, name=f"readyz-{name}", daemon=True)
    worker.start()
    worker.join(CHECK_SECONDS)
    if worker.is_alive() or not outcome:
        if worker.is_alive():
            logger.warning("readiness check timed out", extra={"check": name})
        return failed
    return outcome[0]


def readiness() -> dict[str, str]:
    """Each check's answer: "ok", or what is wrong."""
    checks = {"database": _within("database", _database_check, "unreachable")}
    # The shared cache is Redis when REDIS_URL is set; its client is safe to share with the
    # check's thread (a thread of its own would open a connection pool of its own).
    ping = getattr(caches["shared"], "ping", None)
    if ping is not None:
        checks["redis"] = _within("redis", _redis_check(ping), "unreachable")
    keys = _within("keys", _key_check, "unknown")
    if keys != "skip":
        checks["keys"] = keys
    return checks


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers. No database, no Redis."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: 200 when every check is "ok", else 503 naming the ones that are not."""
    checks = readiness()
    if all(outcome == "ok" for outcome in checks.values()):
        return JsonResponse({"status": "ready", "checks": checks})
    return JsonResponse({"status": "unavailable", "checks": checks}, status=503)
