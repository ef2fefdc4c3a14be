"""Each app declares its own audit actions; the audit log reads them all and knows none itself."""

from __future__ import annotations

import ast
from importlib import import_module
from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import models

from lumeire.audit.actions import AuditActionRegistry
from lumeire.audit.audit_actions import AuditLogAction
from lumeire.audit.models import AuditAction, AuditEntry

AUDIT_APP = Path(__file__).resolve().parent.parent


class Shipping(models.TextChoices):
    PARCEL_LOST = "parcel_lost", "Parcel lost"
    PARCEL_FOUND = "parcel_found", "Parcel found"


class Clash(models.TextChoices):
    LOST_AGAIN = "parcel_lost", "Parcel lost again"


class TooLong(models.TextChoices):
    LONG = "x" * 33, "Long"


def _declaring_modules() -> list[str]:
    return [
        f"{config.name}.audit_actions"
        for config in apps.get_app_configs()
        if (Path(config.path) / "audit_actions.py").exists()
    ]


def test_every_app_module_that_declares_actions_is_read_at_start_up():
    declared = set()
    for module in _declaring_modules():
        for value in vars(import_module(module)).values():
            if isinstance(value, type) and issubclass(value, models.TextChoices):
                declared |= set(value.values)
    assert len(_declaring_modules()) >= 7
    assert declared == set(AuditAction.values)
    assert set(dict(AuditEntry._meta.get_field("action").choices)) == declared


def test_the_audit_app_itself_names_no_other_apps_action_or_role():
    own = set(AuditLogAction.values)  # the log's own: viewed, checkpoint, chain sealed
    others = set(AuditAction.values) - own
    roles = {"owner", "customer_service", "fulfilment", "analyst", "legal_counsel"}
    for source in AUDIT_APP.glob("*.py"):
        strings = {
            node.value
            for node in ast.walk(ast.parse(source.read_text(encoding="utf-8")))
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
        }
        assert strings & (others | roles) == set(), source.name


def test_actions_are_found_by_value_and_by_name_and_unknown_ones_are_refused():
    registry = AuditActionRegistry()
    registry.register(Shipping, shown_to_customer=[Shipping.PARCEL_FOUND])

    assert registry("parcel_lost") is Shipping.PARCEL_LOST
    assert registry.PARCEL_FOUND is Shipping.PARCEL_FOUND
    assert registry.values == ["parcel_lost", "parcel_found"]
    assert registry.choices == [("parcel_lost", "Parcel lost"), ("parcel_found", "Parcel found")]
    assert registry.shown_to_customer == {"parcel_found"}
    assert "parcel_lost" in registry and "parcel_stolen" not in registry
    with pytest.raises(ValueError, match="not a registered audit action"):
        registry("parcel_stolen")
    with pytest.raises(AttributeError):
        _ = registry.PARCEL_STOLEN


def test_two_apps_cannot_declare_the_same_value_and_values_fit_the_column():
    registry = AuditActionRegistry()
    registry.register(Shipping)
    registry.register(Shipping)  # the same class again (a module read twice) changes nothing

    with pytest.raises(ImproperlyConfigured, match="already declared"):
        registry.register(Clash)
    with pytest.raises(ImproperlyConfigured, match="longer than 32"):
        registry.register(TooLong)
    with pytest.raises(ImproperlyConfigured, match="same class"):
        AuditActionRegistry().register(Shipping, shown_to_customer=["reveal"])
    assert registry.values == ["parcel_lost", "parcel_found"]


def test_the_customer_sees_only_staff_reveals():
    assert AuditAction.shown_to_customer == {"reveal"}


@pytest.mark.django_db
def test_an_unregistered_action_writes_nothing():
    from lumeire.audit.services import audit_record

    with pytest.raises(ValueError, match="not a registered audit action"):
        audit_record(actor=None, action="parcel_stolen")
    assert AuditEntry.objects.count() == 0
