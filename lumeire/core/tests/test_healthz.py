"""/healthz says the process answers; /readyz says whether the node should get traffic.

The balancer must not send customers to a node whose database or Redis does not answer, and a
supervisor must not restart a process only because something else is down.
"""

from __future__ import annotations

import logging
import time

import pytest
from django.db import OperationalError, connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

from lumeire.core.selectors import database_is_reachable
from lumeire.core.tests.redis_fixtures import redis_caches

pytestmark = pytest.mark.django_db


@pytest.fixture
def database_down(monkeypatch, closed_port):
    """New connections to the database fail (the one the test already holds stays open)."""
    options = connections.settings["default"]
    if connection.vendor == "postgresql":
        monkeypatch.setitem(options, "HOST", "127.0.0.1")
        monkeypatch.setitem(options, "PORT", str(closed_port))
    else:
        monkeypatch.setitem(options, "NAME", "/nonexistent/lumeire/database.sqlite3")


# --- Liveness ---------------------------------------------------------------------------------


def test_liveness_answers_200_ok_without_touching_the_database():
    with CaptureQueriesContext(connection) as queries:
        response = Client().get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok"}
    assert len(queries) == 0


def test_liveness_is_never_cached():
    response = Client().get("/healthz")

    assert "no-cache" in response["Cache-Control"]
    assert "max-age=0" in response["Cache-Control"]


def test_liveness_refuses_other_methods():
    assert Client().post("/healthz").status_code == 405
    assert Client().post("/readyz").status_code == 405


def test_liveness_stays_200_while_redis_is_away(settings, never_answering_redis):
    settings.CACHES = redis_caches(never_answering_redis)

    response = Client().get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


# --- Readiness --------------------------------------------------------------------------------


def test_ready_store_answers_200_with_each_check_ok():
    response = Client().get("/readyz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert body["checks"]["database"] == "ok"
    assert "redis" not in body["checks"]  # no REDIS_URL: nothing to check
    assert set(body["checks"].values()) == {"ok"}
    assert "no-cache" in response["Cache-Control"]


def test_readiness_checks_redis_when_the_store_uses_it(settings, real_redis_url):
    settings.CACHES = redis_caches(real_redis_url)

    response = Client().get("/readyz")

    assert response.status_code == 200
    assert response.json()["checks"]["redis"] == "ok"


@pytest.mark.parametrize("outage", ["never_answering_redis", "closed_redis_port"])
def test_redis_away_makes_the_node_unready_within_a_second_naming_redis(request, settings, outage):
    settings.CACHES = redis_caches(request.getfixturevalue(outage))

    started = time.monotonic()
    response = Client().get("/readyz")
    elapsed = time.monotonic() - started

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["redis"] == "unreachable"
    assert body["checks"]["database"] == "ok"
    assert elapsed < 1.5


@pytest.mark.usefixtures("database_down")
def test_database_away_makes_the_node_unready_naming_the_database():
    response = Client().get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body == {
        "status": "unavailable",
        "checks": {**body["checks"], "database": "unreachable"},
    }
    assert b"Connection refused" not in response.content
    assert b"OperationalError" not in response.content


@pytest.mark.usefixtures("database_down")
def test_liveness_stays_200_while_the_database_is_away():
    assert Client().get("/healthz").status_code == 200


def test_database_is_reachable_when_it_answers():
    assert database_is_reachable() is True


def test_database_outage_is_logged_as_a_warning_without_the_driver_error(monkeypatch, caplog):
    def refuse(*args, **kwargs):
        raise OperationalError("could not connect to server: Connection refused")

    monkeypatch.setattr(connections["default"], "cursor", refuse)
    with caplog.at_level(logging.WARNING, logger="lumeire.core.selectors"):
        assert database_is_reachable() is False

    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        ("WARNING", "health check: database unreachable")
    ]
    assert caplog.records[0].database_alias == "default"
