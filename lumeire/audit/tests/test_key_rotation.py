"""A master key rotation is recorded once, by the store, with how many keys it re-wrapped."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from lumeire.audit.models import AuditAction, AuditEntry

pytestmark = pytest.mark.django_db


def test_vault_rotate_records_its_run_as_the_system():
    call_command("vault_rotate", stdout=io.StringIO(), stderr=io.StringIO())
    entry = AuditEntry.objects.get()
    assert entry.action == AuditAction.KEY_ROTATION
    assert (entry.actor_kind, entry.actor_id, entry.actor_roles) == ("system", None, "")
    assert entry.target_type == "vault.datakey"
    assert entry.target_id.startswith("mk-")
    assert entry.reason == f"0 data keys re-wrapped under master key {entry.target_id}; 0 left"
