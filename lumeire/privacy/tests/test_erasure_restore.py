"""A database restored from before an erasure: the journal outside it brings the erasure back.

A restore is played here by erasing inside a transaction that is then rolled back: the database
is as it was before the erasure, as a restored backup is, while the journal file, outside the
database, keeps the record. (The same on real pg_dump / pg_restore: test_backup_drill.py.)
"""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core import checks, mail
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import transaction
from django.test import Client
from django.utils import timezone
from freezegun import freeze_time

from lumeire.accounts.models import ApiToken, Customer, User
from lumeire.accounts.services.signin import api_token_issue
from lumeire.accounts.tests.factories import PASSWORD, make_customer
from lumeire.audit.models import AuditAction, AuditEntry
from lumeire.audit.verification import verify_chain
from lumeire.core.tokens import secret_hash
from lumeire.privacy.erasure import erasure_carry_out, erasure_confirm, erasure_replay
from lumeire.privacy.erasure import erasure_request as request_erasure
from lumeire.privacy.restore_gate import IN_FLIGHT_SECONDS, forget_store_state
from lumeire.vault.fields import is_erased
from lumeire.vault.journal import journal_path, read_journal
from lumeire.vault.keyring import get_keyring, unwrap_data_key
from lumeire.vault.models import DataKey

pytestmark = pytest.mark.django_db


class _Restore(Exception):
    """Rolls the database back to before the erasure, as restoring a backup does."""


def _erase_then_restore(customer: User) -> None:
    with pytest.raises(_Restore), transaction.atomic():
        assert erasure_carry_out(customer) is True
        raise _Restore


def _database_checks() -> list[checks.CheckMessage]:
    return [m for m in checks.run_checks(databases=["default"]) if m.id.startswith("vault.E02")]


def _command(name: str, *args: str) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command(name, *args, stdout=out, stderr=out)
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue()
    return 0, out.getvalue()


@pytest.fixture(autouse=True)
def _gate_reads_the_state_afresh():
    forget_store_state()
    yield
    forget_store_state()


@pytest.fixture
def restored_customer() -> User:
    customer = make_customer(username="dana.restore", email="dana.restore@example.com")
    api_token_issue(user=customer)
    _erase_then_restore(customer)
    return customer


def test_a_restored_database_holds_the_key_again_which_is_the_attack(restored_customer):
    row = DataKey.objects.get(subject_id=restored_customer.pk)
    assert row.wrapped_key is not None
    # Whoever holds the restored database and the master key opens the key, then the data.
    master = get_keyring().by_id(row.master_key_id)
    assert len(unwrap_data_key(bytes(row.wrapped_key), row.subject_id, master)) == 32
    assert [r.subject_id for r in read_journal().records] == [restored_customer.pk]


def test_migrate_and_the_database_check_refuse_until_the_replay(restored_customer):
    assert [m.id for m in _database_checks()] == ["vault.E020"]
    with pytest.raises(SystemCheckError, match=r"vault\.E020"):
        call_command("migrate", skip_checks=False, verbosity=0)
    with pytest.raises(SystemCheckError, match=r"vault\.E020"):
        call_command("check", databases=["default"])

    assert erasure_replay() == 1

    assert _database_checks() == []
    call_command("check", databases=["default"], stdout=StringIO())


def test_the_store_answers_503_until_the_replay(restored_customer):
    client = Client()
    # A line this young may be an erasure still committing elsewhere: not yet a restore.
    assert client.get("/en/").status_code == 200
    with freeze_time(timezone.now() + timedelta(seconds=IN_FLIGHT_SECONDS + 1)):
        forget_store_state()
        refused = client.get("/en/")
        assert refused.status_code == 503
        assert refused["Retry-After"]
        assert client.get("/api/v1/catalog/products").status_code == 503

        erasure_replay()

        assert client.get("/en/").status_code == 200


def test_before_the_replay_the_store_itself_reads_the_journaled_customer_as_erased(
    restored_customer,
):
    profile = Customer.objects.get(pk=restored_customer.pk)
    assert is_erased(profile.full_name) and is_erased(profile.identity_number)
    assert is_erased(profile.date_of_birth)


def test_the_replay_erases_again_audits_it_and_a_second_run_does_nothing(restored_customer):
    mail.outbox.clear()

    assert erasure_replay() == 1

    assert mail.outbox == []  # the customer was told when it first happened
    assert DataKey.objects.get(subject_id=restored_customer.pk).wrapped_key is None
    account = User.objects.get(pk=restored_customer.pk)
    assert not account.is_active and not account.has_usable_password()
    assert account.email_index is None and account.username_index is None
    assert is_erased(account.email)
    assert not ApiToken.objects.filter(user=restored_customer).exists()
    replays = AuditEntry.objects.filter(action=AuditAction.ERASURE_REPLAYED)
    assert list(replays.values_list("subject_id", flat=True)) == [restored_customer.pk]
    assert verify_chain().broken_at is None
    # Idempotent: nothing more is destroyed or recorded; the journal is not written twice.
    assert erasure_replay() == 0
    assert replays.count() == 1
    assert len(read_journal().records) == 1


def test_the_replay_command_and_the_check_command_report_by_id_only(restored_customer):
    code, report = _command("erasure_check")
    assert code == 1
    assert f"HELD: data key {DataKey.objects.get(subject_id=restored_customer.pk).id}" in report
    assert "dana.restore" not in report

    code, output = _command("erasure_replay")
    assert code == 0 and "Replayed 1 erasures from 1 records." in output

    code, report = _command("erasure_check")
    assert code == 0 and "0 journaled keys held by the database" in report


def test_a_tampered_journal_blocks_the_store_and_is_named_by_line(restored_customer):
    lines = journal_path().read_text().splitlines()
    record = json.loads(lines[0])
    record["subject"] = "00000000-0000-0000-0000-000000000001"  # hide the erasure
    journal_path().write_text(json.dumps(record) + "\n")

    messages = checks.run_checks()
    assert [m.id for m in messages if m.id == "vault.E021"] == ["vault.E021"]
    assert "line 1 fails its signature" in next(m.msg for m in messages if m.id == "vault.E021")
    assert Client().get("/en/").status_code == 503
    code, output = _command("erasure_replay")
    assert code == 1 and "fails verification" in output


def test_a_lost_journal_is_noticed_and_the_tombstones_can_be_recorded_again():
    customer = make_customer()
    erasure_carry_out(customer)
    journal_path().unlink()  # the journal folder was lost, or replaced by an older copy

    warnings = [m.id for m in checks.run_checks(databases=["default"]) if m.id == "vault.W022"]
    assert warnings == ["vault.W022"]

    code, output = _command("erasure_replay", "--record-tombstones")

    assert code == 0 and "Recorded 1 destroyed keys in the journal." in output
    assert [r.subject_id for r in read_journal().records] == [customer.pk]
    assert not [m for m in checks.run_checks(databases=["default"]) if m.id == "vault.W022"]
    assert AuditEntry.objects.filter(action="erasure_journal_recorded").count() == 1


def test_confirming_the_erasure_ends_every_session_and_api_token_at_once():
    customer = make_customer(username="rana.confirm")
    token = api_token_issue(user=customer).raw
    browser = Client()
    signed_in = browser.post(
        "/en/account/sign-in/", {"login": "rana.confirm", "password": PASSWORD}
    )
    assert signed_in.status_code == 302
    me = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert Client().get("/api/v1/accounts/me", **me).status_code == 200
    assert browser.get("/en/account/").status_code == 200
    mail.outbox.clear()
    request_erasure(actor=customer, password=PASSWORD)
    raw = mail.outbox[-1].body.split("/account/delete/confirm/")[1].split("/")[0]

    erasure_confirm(token_ref=secret_hash(raw))

    refused = Client().get("/api/v1/accounts/me", **me)
    assert refused.status_code == 401
    assert refused["WWW-Authenticate"] == "Bearer"
    assert browser.get("/en/account/").status_code == 302
