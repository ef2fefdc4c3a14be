"""Every entry links to the one before it and carries the HMAC of its own canonical form."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from hypothesis import given
from hypothesis import settings as examples
from hypothesis import strategies as st

from lumeire.audit.audit_actions import AuditLogAction
from lumeire.audit.chain import (
    GENESIS_HASH,
    SEAL_ACTION,
    canonical_bytes,
    canonical_fields,
    canonical_json,
    canonical_time,
    keyed_bytes,
)
from lumeire.audit.errors import AuditReasonError
from lumeire.audit.models import ActorKind, AuditAction, AuditEntry, AuditHead, RevealReason
from lumeire.audit.selectors import AuditFilters, audit_entries, reveals_of_subject
from lumeire.audit.services import audit_record
from lumeire.audit.tests.conftest import make_user

pytestmark = pytest.mark.django_db
CLIENT = "a" * 64


def _chain_key(master: str) -> bytes:
    """The chain key as the store must derive it: HKDF-SHA256 of the master key, its own info."""
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"lumeire audit chain"
    ).derive(base64.b64decode(master))


def test_entries_chain_from_sixty_four_zeros_and_carry_an_hmac_of_their_canonical_form(settings):
    staff = make_user(groups=("Customer service", "Fulfilment"))
    subject = uuid.uuid4()
    first = audit_record(
        actor=staff,
        action=AuditAction.REVEAL,
        target_type="accounts.customer",
        target_id=str(subject),
        subject_id=subject,
        fields=["email", "full_name"],
        reason_category=RevealReason.ORDER_SUPPORT,
        reason="Parcel returned to sender",
        client_ref=CLIENT,
    )
    second = audit_record(actor=None, action=AuditAction.KEY_ROTATION, reason="3 data keys")

    assert (first.id, second.id) == (1, 2)
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.entry_hash
    stored = AuditEntry.objects.get(pk=1)
    expected = {
        "id": 1,
        "at": stored.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor_kind": "staff",
        "actor_id": str(staff.pk),
        "actor_roles": "customer_service,fulfilment",
        "action": "reveal",
        "target_type": "accounts.customer",
        "target_id": str(subject),
        "subject_id": str(subject),
        "fields": ["email", "full_name"],
        "reason_category": "order_support",
        "reason": "Parcel returned to sender",
        "client_ref": CLIENT,
        "prev_hash": GENESIS_HASH,
        "key_id": stored.key_id,
    }
    key = _chain_key(settings.LUMEIRE_MASTER_KEY)
    key_id = "ac-" + hashlib.sha256(b"lumeire audit key id|" + key).hexdigest()[:16]
    serialised = json.dumps(expected, sort_keys=True, separators=(",", ":")).encode()
    assert stored.key_id == second.key_id == key_id
    assert keyed_bytes(stored.hashed_row(), stored.key_id) == serialised
    assert stored.entry_hash == hmac.new(key, serialised, hashlib.sha256).hexdigest()
    # Neither the master key nor the chain key is anywhere in the row.
    assert stored.entry_hash != hashlib.sha256(serialised).hexdigest()
    assert key.hex() not in json.dumps(expected) and settings.LUMEIRE_MASTER_KEY not in str(
        expected
    )
    assert AuditHead.objects.get().last_id == 2
    assert AuditHead.objects.get().last_hash == second.entry_hash


def test_the_seal_action_is_the_one_the_audit_app_declares():
    assert AuditLogAction.AUDIT_CHAIN_SEALED == SEAL_ACTION


def test_the_system_and_customers_are_recorded_by_kind_and_id_only():
    customer = make_user(kind="customer")
    system = audit_record(actor=None, action=AuditAction.KEY_ROTATION)
    own = audit_record(actor=customer, action=AuditAction.CUSTOMER_LOCKED_OUT)

    assert (system.actor_kind, system.actor_id, system.actor_roles) == (ActorKind.SYSTEM, None, "")
    assert (own.actor_kind, own.actor_id, own.actor_roles) == ("customer", customer.pk, "")


def test_roles_given_by_the_caller_are_stored_sorted_and_unique():
    staff = make_user(groups=("Owner",))
    entry = audit_record(
        actor=staff, action=AuditAction.ROLES_CHANGED, actor_roles=["owner", "analyst", "owner"]
    )
    assert entry.actor_roles == "analyst,owner"


def test_staff_roles_come_from_the_registered_reader_and_none_without_one(monkeypatch):
    from lumeire.audit import actors

    staff = make_user(groups=("Owner",))
    monkeypatch.setattr(actors, "_role_reader", lambda user: ["legal_counsel", "analyst"])
    read = audit_record(actor=staff, action=AuditAction.AUDIT_VIEWED)
    monkeypatch.setattr(actors, "_role_reader", None)
    unread = audit_record(actor=staff, action=AuditAction.AUDIT_VIEWED)

    assert read.actor_roles == "analyst,legal_counsel"
    assert unread.actor_roles == ""


def test_time_is_spelled_in_utc_whatever_the_zone():
    from zoneinfo import ZoneInfo

    riyadh = datetime(2026, 3, 1, 15, 4, 5, 123, tzinfo=ZoneInfo("Asia/Riyadh"))
    assert canonical_time(riyadh) == "2026-03-01T12:04:05.000123Z"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"fields": ["aisha@example.com"]}, "field names"),
        ({"fields": ["full name"]}, "field names"),
        ({"client_ref": "203.0.113.7"}, "keyed hash"),
        ({"target_id": "Aisha Al-Harbi"}, "record's id"),
        ({"target_type": "Customers!"}, "model label"),
        ({"reason_category": "curiosity"}, "unknown reason"),
    ],
)
def test_a_value_where_a_name_belongs_is_refused_and_nothing_is_written(overrides, message):
    with pytest.raises(ValueError, match=message):
        audit_record(actor=None, action=AuditAction.REVEAL, **overrides)
    assert AuditEntry.objects.count() == 0
    assert not AuditHead.objects.filter(last_id__gt=0).exists()


def test_a_reason_too_long_is_a_clear_refusal_that_writes_nothing():
    with pytest.raises(AuditReasonError) as refusal:
        audit_record(actor=None, action=AuditAction.REVEAL, reason="x" * 501)
    assert refusal.value.code == "reason_too_long"
    assert refusal.value.status_code == 400
    assert list(refusal.value.field_errors) == ["reason"]
    assert AuditEntry.objects.count() == 0
    entry = audit_record(actor=None, action=AuditAction.REVEAL, reason="x" * 500)
    assert len(entry.reason) == 500


def test_an_entry_is_rolled_back_with_the_change_it_records():
    from django.db import transaction

    class Refused(Exception):
        pass

    with pytest.raises(Refused), transaction.atomic():
        audit_record(actor=None, action=AuditAction.EXPORT)
        raise Refused
    assert AuditEntry.objects.count() == 0
    assert audit_record(actor=None, action=AuditAction.EXPORT).id == 1


def test_reveals_of_a_subject_are_theirs_only_newest_first_without_refusals():
    staff = make_user(groups=("Customer service",))
    mine, other = uuid.uuid4(), uuid.uuid4()
    older = audit_record(actor=staff, action=AuditAction.REVEAL, subject_id=mine, fields=["email"])
    audit_record(actor=staff, action=AuditAction.REVEAL_REFUSED, subject_id=mine, fields=["email"])
    audit_record(actor=staff, action=AuditAction.REVEAL, subject_id=other, fields=["email"])
    newer = audit_record(actor=staff, action=AuditAction.REVEAL, subject_id=mine, fields=["phone"])

    assert [entry.id for entry in reveals_of_subject(mine)] == [newer.id, older.id]
    assert [entry.id for entry in reveals_of_subject(mine, limit=1)] == [newer.id]
    assert reveals_of_subject(uuid.uuid4()) == []


def test_back_office_filters_are_exact():
    staff = make_user(groups=("Owner",))
    subject = uuid.uuid4()
    reveal = audit_record(
        actor=staff,
        action=AuditAction.REVEAL,
        target_type="orders.order",
        target_id="LUM-7K3Q-9F2D",
        subject_id=subject,
    )
    rotation = audit_record(actor=None, action=AuditAction.KEY_ROTATION)

    def ids(**filters):
        return list(audit_entries(AuditFilters(**filters)).values_list("id", flat=True))

    assert ids() == [rotation.id, reveal.id]
    assert ids(actor_kind="system") == [rotation.id]
    assert ids(action="reveal") == [reveal.id]
    assert ids(target_type="orders.order") == [reveal.id]
    assert ids(term="LUM-7K3Q-9F2D") == [reveal.id]
    assert ids(term="LUM-7K3Q") == []
    assert ids(term=str(staff.pk)) == [reveal.id]
    assert ids(term=str(subject)) == [reveal.id]
    assert ids(actor_id=staff.pk) == [reveal.id]
    assert ids(subject_id=subject) == [reveal.id]
    assert ids(since=rotation.at) == [rotation.id]
    assert ids(until=rotation.at) == [reveal.id]


_text = st.text(max_size=40)  # any characters: quotes, backslashes, controls, Arabic, emoji


@examples(max_examples=25)
@given(
    entry_id=st.integers(min_value=1, max_value=2**62),
    at=st.datetimes(timezones=st.just(UTC)),
    actor_id=st.none() | st.uuids(),
    subject_id=st.none() | st.uuids(),
    fields=st.lists(_text, max_size=4),
    texts=st.lists(_text, min_size=9, max_size=9),
    key_id=_text,
)
def test_the_fast_spelling_is_the_json_encoders_and_reads_the_same_from_a_cursor(
    entry_id, at, actor_id, subject_id, fields, texts, key_id
):
    kind, roles, action, target_type, target_id, category, reason, client, prev = texts
    row = (entry_id, at, kind, actor_id, roles, action, target_type, target_id, subject_id)
    row = (*row, fields, category, reason, client, prev)
    canonical = canonical_fields(row)
    assert canonical_bytes(row) == canonical_json(canonical)
    assert keyed_bytes(row, key_id) == canonical_json({**canonical, "key_id": key_id})
    # As a SQLite cursor gives them: UTC wall time without a zone, UUIDs as hex, JSON as text.
    stored = (
        entry_id,
        at.replace(tzinfo=None),
        kind,
        actor_id.hex if actor_id else None,
        roles,
        action,
        target_type,
        target_id,
        subject_id.hex if subject_id else None,
        json.dumps(fields),
        category,
        reason,
        client,
        prev,
    )
    assert keyed_bytes(stored, key_id) == keyed_bytes(row, key_id)
    assert canonical_bytes(stored) == canonical_bytes(row)


def test_values_of_other_types_are_spelled_by_the_json_encoder():
    row = (1, datetime(2026, 1, 1, tzinfo=UTC), "system", None, "", "export", "", "", None)
    odd = (*row, [1, None, "email"], "", "", "", GENESIS_HASH)
    assert canonical_bytes(odd) == canonical_json(canonical_fields(odd))
    assert b'"fields":[1,null,"email"]' in canonical_bytes(odd)
