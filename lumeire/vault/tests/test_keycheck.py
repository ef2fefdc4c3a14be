"""A node whose keys cannot open the stored data will not serve, naming the key, not its value."""

from __future__ import annotations

import base64
from io import StringIO

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError, SystemCheckError

from lumeire.audit.models import AuditEntry
from lumeire.audit.services import audit_record
from lumeire.vault.audit_actions import VaultAuditAction
from lumeire.vault.keycheck import (
    AUDIT_CHAIN_KEY,
    BLIND_INDEX_KEY,
    MASTER_KEY,
    SHARED_KEYS,
    SIGNING_KEY,
    configured_fingerprints,
    fingerprints_record_missing,
    forget_key_check,
    key_problems,
    keys_open_existing_data,
    refuse_unless_keys_match,
)
from lumeire.vault.models import KeyFingerprint
from lumeire.vault.tests.conftest import random_master_key
from lumeire.vault.tests.sample.models import SamplePerson

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def recorded():
    """The fingerprints as the first migrate records them (a flushed database has none)."""
    forget_key_check()
    fingerprints_record_missing()
    yield
    forget_key_check()


def _refusal() -> str:
    with pytest.raises(ImproperlyConfigured) as refused:
        refuse_unless_keys_match()
    return str(refused.value)


def _stored(key: str) -> str:
    return KeyFingerprint.objects.get(key=key).fingerprint


def test_migrate_records_one_fingerprint_per_shared_key_that_reveals_no_key(settings):
    KeyFingerprint.objects.all().delete()

    call_command("migrate", verbosity=0)

    stored = dict(KeyFingerprint.objects.values_list("key", "fingerprint"))
    assert sorted(stored) == sorted(SHARED_KEYS)
    assert stored == {name: prints[0] for name, prints in configured_fingerprints().items()}
    for key_text in (settings.SECRET_KEY, settings.LUMEIRE_MASTER_KEY):
        raw = key_text.encode()
        assert all(key_text not in value and raw.hex() not in value for value in stored.values())
    assert all(len(value) == 64 for value in stored.values())


def test_a_later_migrate_leaves_recorded_fingerprints_as_they_are(settings):
    before = _stored(SIGNING_KEY)
    settings.SECRET_KEY = "a key of this node alone " * 3

    with pytest.raises(SystemCheckError, match=r"vault\.E030"):
        call_command("migrate", verbosity=0, skip_checks=False)

    assert _stored(SIGNING_KEY) == before


def test_matching_keys_start(make_person):
    make_person()
    audit_record(actor=None, action=VaultAuditAction.KEY_ROTATION, target_type="vault.datakey")

    refuse_unless_keys_match()

    assert key_problems() == []
    assert keys_open_existing_data() is True


@pytest.mark.parametrize(
    ("setting", "named"),
    [
        ("SECRET_KEY", [SIGNING_KEY]),
        ("LUMEIRE_MASTER_KEY", [MASTER_KEY, AUDIT_CHAIN_KEY]),
        ("LUMEIRE_BLIND_INDEX_KEY", [BLIND_INDEX_KEY]),
    ],
)
def test_each_key_that_differs_is_refused_by_name_and_never_shown(settings, setting, named):
    original = getattr(settings, setting)
    other = random_master_key()
    setattr(settings, setting, other)

    message = _refusal()

    assert [problem.key for problem in key_problems()] == named
    listed = [line.strip()[2:].split(":")[0] for line in message.splitlines()[1:]]
    assert listed == named
    for secret in (original, other, base64.b64decode(other).hex()):
        assert secret not in message
    assert keys_open_existing_data() is False


def test_data_keys_wrapped_by_a_master_key_this_node_lacks_are_refused_without_fingerprints(
    settings, make_person
):
    make_person()
    KeyFingerprint.objects.all().delete()
    settings.LUMEIRE_MASTER_KEY = random_master_key()

    message = _refusal()

    assert "- LUMEIRE_MASTER_KEY: stored data keys are wrapped by master key mk-" in message
    assert settings.LUMEIRE_MASTER_KEY not in message


def test_an_audit_log_chained_under_another_key_is_refused_without_fingerprints(settings):
    audit_record(actor=None, action=VaultAuditAction.KEY_ROTATION, target_type="vault.datakey")
    KeyFingerprint.objects.all().delete()
    settings.LUMEIRE_MASTER_KEY = random_master_key()

    assert [problem.key for problem in key_problems()] == [AUDIT_CHAIN_KEY]
    assert "the newest audit entry is chained under key ac-" in _refusal()


def test_a_retired_master_key_still_matches_during_a_rotation(settings, make_person):
    make_person()
    settings.LUMEIRE_MASTER_KEY, settings.LUMEIRE_MASTER_KEYS_RETIRED = (
        random_master_key(),
        [settings.LUMEIRE_MASTER_KEY],
    )

    refuse_unless_keys_match()


def test_rotation_records_the_new_master_key_and_locks_out_the_old_one(settings, make_person):
    person_id = make_person().pk
    old_key, new_key = settings.LUMEIRE_MASTER_KEY, random_master_key()
    old_print = _stored(MASTER_KEY)
    settings.LUMEIRE_MASTER_KEY, settings.LUMEIRE_MASTER_KEYS_RETIRED = new_key, [old_key]

    call_command("vault_rotate", stdout=StringIO(), stderr=StringIO())

    assert _stored(MASTER_KEY) != old_print
    assert _stored(MASTER_KEY) == configured_fingerprints()[MASTER_KEY][0]
    settings.LUMEIRE_MASTER_KEYS_RETIRED = []  # the old key removed, as the rotation allows
    refuse_unless_keys_match()
    assert SamplePerson.objects.get(pk=person_id).full_name == "Aisha Al-Harbi"
    settings.LUMEIRE_MASTER_KEY = old_key  # a node left with the old key only
    message = _refusal()
    assert "- LUMEIRE_MASTER_KEY:" in message and "- audit chain key:" in message


def test_rotation_refuses_to_record_a_master_key_that_does_not_open_the_data(settings, make_person):
    make_person()
    before = _stored(MASTER_KEY)
    settings.LUMEIRE_MASTER_KEY = random_master_key()  # the old key forgotten, not retired

    with pytest.raises(CommandError, match="LUMEIRE_MASTER_KEY"):
        call_command("vault_rotate", stdout=StringIO(), stderr=StringIO())

    assert _stored(MASTER_KEY) == before


def test_keys_check_reports_each_key_and_fails_on_a_mismatch(settings, capsys):
    call_command("keys_check")
    assert capsys.readouterr().out.splitlines() == [f"{name}: matches" for name in SHARED_KEYS]

    settings.LUMEIRE_BLIND_INDEX_KEY = random_master_key()
    with pytest.raises(CommandError, match=r"1 key\(s\) differ: LUMEIRE_BLIND_INDEX_KEY"):
        call_command("keys_check")
    lines = capsys.readouterr().out.splitlines()
    assert lines[2].startswith("LUMEIRE_BLIND_INDEX_KEY: DIFFERS - ")
    assert settings.LUMEIRE_BLIND_INDEX_KEY not in "\n".join(lines)


def test_a_secret_key_changed_on_every_node_is_recorded_and_audited(settings, capsys):
    settings.SECRET_KEY = "the new secret key of every node " * 2
    with pytest.raises(ImproperlyConfigured):
        refuse_unless_keys_match()
    entries = AuditEntry.objects.count()

    call_command("keys_check", record="SECRET_KEY")

    refuse_unless_keys_match()
    assert AuditEntry.objects.count() == entries + 1
    entry = AuditEntry.objects.order_by("-id").first()
    assert (entry.action, entry.target_id) == (VaultAuditAction.KEY_ROTATION, "SECRET_KEY")


def test_keys_check_cannot_record_a_key_that_protects_stored_data():
    before = _stored(MASTER_KEY)
    with pytest.raises(CommandError, match="--record takes SECRET_KEY only"):
        call_command("keys_check", record="LUMEIRE_MASTER_KEY")
    assert _stored(MASTER_KEY) == before


def test_recording_refuses_keys_that_cannot_open_what_is_stored(settings, make_person):
    make_person()
    KeyFingerprint.objects.all().delete()
    settings.LUMEIRE_MASTER_KEY = random_master_key()

    with pytest.raises(ImproperlyConfigured, match="LUMEIRE_MASTER_KEY"):
        fingerprints_record_missing()

    assert not KeyFingerprint.objects.exists()


def test_readiness_answer_follows_a_change_of_configuration(settings):
    assert keys_open_existing_data() is True
    settings.SECRET_KEY = "another node's secret key " * 3
    assert keys_open_existing_data() is False


@pytest.mark.django_db(transaction=True)
def test_a_migration_back_records_nothing_and_the_next_one_forward_records_the_keys():
    KeyFingerprint.objects.all().delete()

    call_command("migrate", "audit", "0007", verbosity=0)  # before audit entries had a key id
    try:
        assert not KeyFingerprint.objects.exists()
    finally:
        call_command("migrate", "audit", verbosity=0)

    assert sorted(KeyFingerprint.objects.values_list("key", flat=True)) == sorted(SHARED_KEYS)
