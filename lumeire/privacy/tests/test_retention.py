"""purge_expired: with time frozen and moved on, each category goes at its period, not before,
and a second run finds nothing."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from freezegun import freeze_time

from lumeire.accounts.models import ApiToken, RecoveryToken, SignInEvent, SignupConflict, User
from lumeire.accounts.tests.factories import make_customer
from lumeire.audit.models import AuditAction, AuditCheckpoint, AuditEntry
from lumeire.audit.services import audit_record
from lumeire.audit.verification import verify_chain
from lumeire.cart.models import Cart
from lumeire.core.tokens import secret_hash
from lumeire.privacy.models import ErasureReason, ErasureRequest, ErasureStatus
from lumeire.privacy.retention import purge_expired
from lumeire.vault.lifecycle import purge_declarations
from lumeire.vault.models import DataKey

pytestmark = pytest.mark.django_db

START = timezone.now().replace(microsecond=0) + timedelta(days=1)


def _later(**delta) -> freeze_time:
    return freeze_time(START + timedelta(**delta))


@pytest.fixture(autouse=True)
def _audit_archives_in_a_folder_of_the_tests_own(settings, tmp_path):
    settings.LUMEIRE_AUDIT_ARCHIVE_DIR = tmp_path / "audit-archive"


def test_tokens_go_when_they_expire_and_not_before():
    with _later():
        customer = make_customer()
        ApiToken.objects.create(
            user=customer, token_hash=secret_hash("a"), expires_at=START + timedelta(days=30)
        )
        RecoveryToken.objects.create(
            user=customer, token_hash=secret_hash("r"), expires_at=START + timedelta(minutes=30)
        )
    with _later(minutes=29):
        counts = purge_expired()
        assert counts["recovery_tokens"] == 0 and counts["api_tokens"] == 0
    with _later(minutes=30):
        assert purge_expired()["recovery_tokens"] == 1
    with _later(days=29, hours=23):
        assert purge_expired()["api_tokens"] == 0
    with _later(days=30):
        assert purge_expired()["api_tokens"] == 1
        assert purge_expired()["api_tokens"] == 0
    assert not ApiToken.objects.exists() and not RecoveryToken.objects.exists()


def test_guest_carts_go_after_thirty_days_and_customer_carts_stay(settings):
    settings.LUMEIRE_GUEST_CART_DAYS = 30
    with _later():
        guest = Cart.objects.create()
        customer_cart = Cart.objects.create(user=make_customer())
    with _later(days=29, hours=23):
        assert purge_expired()["guest_carts"] == 0
    with _later(days=30):
        assert purge_expired()["guest_carts"] == 1
    assert not Cart.objects.filter(pk=guest.pk).exists()
    assert Cart.objects.filter(pk=customer_cart.pk).exists()


def test_sign_in_events_go_after_180_days():
    with _later():
        customer = make_customer()
        SignInEvent.objects.create(user=customer, outcome="success", at=START)
    with _later(days=179):
        assert purge_expired()["sign_in_events"] == 0
    with _later(days=180):
        assert purge_expired()["sign_in_events"] == 1
    assert not SignInEvent.objects.exists()


def test_sign_up_conflicts_go_after_a_year():
    with _later():
        SignupConflict.objects.create(kind="email", index_ref="f" * 64, at=START)
    with _later(days=364):
        assert purge_expired()["sign_up_conflicts"] == 0
    with _later(days=365):
        assert purge_expired()["sign_up_conflicts"] == 1


def test_an_inactive_account_gets_a_notice_then_is_erased(settings):
    settings.LUMEIRE_INACTIVE_ACCOUNT_DAYS = 365
    with _later():
        customer = make_customer()
    mail.outbox.clear()
    with _later(days=334, hours=23):
        assert purge_expired()["inactivity_notices"] == 0
    with _later(days=335):
        assert purge_expired()["inactivity_notices"] == 1
        assert purge_expired()["inactivity_notices"] == 0
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [customer.email]
    erasure = ErasureRequest.objects.get()
    assert erasure.reason == ErasureReason.INACTIVITY
    assert erasure.status == ErasureStatus.SCHEDULED
    with _later(days=364, hours=23):
        assert purge_expired()["erasures"] == 0
    assert User.objects.get(pk=customer.pk).is_active
    with _later(days=365):
        assert purge_expired()["erasures"] == 1
    assert not User.objects.get(pk=customer.pk).is_active
    assert DataKey.objects.get(subject_id=customer.pk).wrapped_key is None
    assert ErasureRequest.objects.get().status == ErasureStatus.ERASED
    with _later(days=400):
        counts = purge_expired()
    assert counts["erasures"] == 0 and counts["inactivity_notices"] == 0
    assert verify_chain().broken_at is None


def test_a_confirmed_erasure_waits_for_its_grace_period():
    with _later():
        customer = make_customer()
        ErasureRequest.objects.create(
            user=customer,
            reason=ErasureReason.CUSTOMER,
            status=ErasureStatus.SCHEDULED,
            erase_after=START + timedelta(days=14),
        )
    with _later(days=13, hours=23):
        assert purge_expired()["erasures"] == 0
    with _later(days=14):
        assert purge_expired()["erasures"] == 1


def test_the_command_prints_counts_only_and_audit_entries_stay():
    with _later():
        customer = make_customer(email="counted@example.com")
        RecoveryToken.objects.create(user=customer, token_hash=secret_hash("x"), expires_at=START)
        before = AuditEntry.objects.count()
        out = StringIO()
        call_command("purge_expired", stdout=out)
    text = out.getvalue()
    assert "recovery_tokens: 1" in text
    assert "counted" not in text and str(customer.pk) not in text
    assert AuditEntry.objects.count() == before + 1
    assert AuditEntry.objects.filter(action=AuditAction.PURGED).get().fields == ["recovery_tokens"]
    with _later(minutes=1):
        out = StringIO()
        call_command("purge_expired", stdout=out)
    assert all(line.endswith(": 0") for line in out.getvalue().splitlines())
    assert AuditEntry.objects.count() == before + 1


def test_exports_and_cases_are_purged_by_their_own_apps_services_as_declared():
    # The privacy centre calls what each app declares; the deleting is the app's own service.
    hooks = {
        purge.category: purge.hook
        for _model, purge in purge_declarations()
        if purge.category in ("exports", "cases")
    }
    assert hooks == {
        "exports": "lumeire.exports.services.exports_purge_expired",
        "cases": "lumeire.compliance.services.cases_purge_expired",
    }
    counts = purge_expired()
    assert counts["exports"] == 0 and counts["cases"] == 0


def _system_entries(count: int) -> None:
    for n in range(count):
        audit_record(actor=None, action=AuditAction.KEY_ROTATION, reason=f"entry {n}")


def test_audit_entries_older_than_two_years_move_into_a_checkpoint():
    with _later():
        _system_entries(3)
    with _later(days=700):
        _system_entries(1)  # younger: stays live
    with _later(days=729, hours=23):
        assert purge_expired()["audit_entries_sealed"] == 0
    assert not AuditCheckpoint.objects.exists()
    with _later(days=730, minutes=1):
        counts = purge_expired()
        assert counts["audit_entries_sealed"] == 3
        assert purge_expired()["audit_entries_sealed"] == 0
    checkpoint = AuditCheckpoint.objects.get()
    assert (checkpoint.first_id, checkpoint.last_id) == (1, 3)
    assert AuditEntry.objects.filter(action=AuditAction.PURGED).get().fields == [
        "audit_entries_sealed"
    ]
    outcome = verify_chain(archives=True)
    assert outcome.broken_at is None and (outcome.archived, outcome.checkpoints) == (3, 1)


def test_the_audit_live_period_is_a_setting_and_big_logs_go_in_batches(settings, monkeypatch):
    import lumeire.privacy.retention as retention

    settings.LUMEIRE_AUDIT_LIVE_DAYS = 30
    monkeypatch.setattr(retention, "AUDIT_CHECKPOINT_BATCH", 2)
    with _later():
        _system_entries(5)
    with _later(days=29):
        _system_entries(1)
    with _later(days=30, minutes=1):
        assert purge_expired()["audit_entries_sealed"] == 5
    assert list(AuditCheckpoint.objects.values_list("first_id", "last_id")) == [
        (1, 2),
        (3, 4),
        (5, 5),
    ]
    assert verify_chain(archives=True).broken_at is None


def test_a_broken_audit_chain_is_not_sealed_and_the_rest_of_the_pass_is_recorded(caplog):
    from django.db import connection

    from lumeire.audit.protection import sqlite_protect
    from lumeire.audit.tests.conftest import raw

    with _later():
        _system_entries(3)
        customer = make_customer()
        RecoveryToken.objects.create(user=customer, token_hash=secret_hash("y"), expires_at=START)
    if connection.vendor == "postgresql":
        raw("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_auditentry_append_only")
        raw("UPDATE audit_auditentry SET reason = 'nothing to see' WHERE id = 2")
        raw("ALTER TABLE audit_auditentry ENABLE TRIGGER audit_auditentry_append_only")
    else:
        raw("DROP TRIGGER audit_auditentry_no_update")
        raw("UPDATE audit_auditentry SET reason = 'nothing to see' WHERE id = 2")
        for statement in sqlite_protect(names=("audit_auditentry_no_update",)):
            raw(statement)
    with _later(days=731):
        counts = purge_expired()
    assert counts["audit_entries_sealed"] == 0 and counts["recovery_tokens"] == 1
    assert not AuditCheckpoint.objects.exists()
    recorded = AuditEntry.objects.filter(action=AuditAction.PURGED).get().fields
    assert "recovery_tokens" in recorded and "audit_entries_sealed" not in recorded
    assert "audit checkpoint refused" in caplog.text
