"""/healthz answers from a real database round-trip, so a load balancer sees an outage."""

import logging

import pytest
from django.db import OperationalError, connections
from django.test import Client

from lumeire.core.selectors import database_is_reachable

pytestmark = pytest.mark.django_db


@pytest.fixture
def database_down(monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("could not connect to server: Connection refused")

    monkeypatch.setattr(connections["default"], "cursor", refuse)


def test_healthy_store_answers_200_with_exactly_status_and_database():
    response = Client().get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "database": "ok"}


def test_health_is_never_cached():
    response = Client().get("/healthz")

    assert "no-cache" in response["Cache-Control"]
    assert "max-age=0" in response["Cache-Control"]


@pytest.mark.usefixtures("database_down")
def test_database_outage_answers_503_saying_the_database_is_unreachable():
    response = Client().get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unreachable"}


@pytest.mark.usefixtures("database_down")
def test_database_outage_does_not_leak_the_driver_error():
    response = Client().get("/healthz")

    assert b"Connection refused" not in response.content
    assert b"OperationalError" not in response.content


def test_health_check_refuses_other_methods():
    response = Client().post("/healthz")

    assert response.status_code == 405


def test_database_is_reachable_when_it_answers():
    assert database_is_reachable() is True


@pytest.mark.usefixtures("database_down")
def test_database_outage_is_logged_as_a_warning_without_the_driver_error(caplog):
    with caplog.at_level(logging.WARNING, logger="lumeire.core.selectors"):
        assert database_is_reachable() is False

    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        ("WARNING", "health check: database unreachable")
    ]
    assert caplog.records[0].database_alias == "default"
