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
from lumeire.audit.models import AuditAction, AuditEntry
from lumeire.audit.verification import verify_chain
from lumeire.cart.models import Cart
from lumeire.core.tokens import secret_hash
from lumeire.privacy.models import ErasureReason, ErasureRequest, ErasureStatus
from lumeire.privacy.retention import purge_expired
from lumeire.vault.models import DataKey

pytestmark = pytest.mark.django_db

START = timezone.now().replace(microsecond=0) + timedelta(days=1)


def _later(**delta) -> freeze_time:
    return freeze_time(START + timedelta(**delta))


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


def test_exports_are_purged_through_the_exports_app_and_skipped_without_it(monkeypatch):
    import lumeire.privacy.retention as retention

    class Services:
        @staticmethod
        def exports_purge_expired() -> int:
            return 3

    monkeypatch.setattr(retention.importlib, "import_module", lambda name: Services)
    assert purge_expired()["exports"] == 3

    def missing(name):
        raise ImportError(name)

    monkeypatch.setattr(retention.importlib, "import_module", missing)
    assert purge_expired()["exports"] == 0
