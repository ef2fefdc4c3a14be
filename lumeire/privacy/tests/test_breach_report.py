"""breach_report: customers counted by data category for a window or a key, and one draft
email per customer in both languages, in files that name nobody."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from freezegun import freeze_time

from lumeire.accounts.tests.factories import make_customer
from lumeire.audit.models import AuditAction, AuditEntry
from lumeire.privacy.erasure import erasure_carry_out
from lumeire.vault.models import DataKey

pytestmark = pytest.mark.django_db


def _run(tmp_path, *args: str) -> str:
    out = StringIO()
    call_command("breach_report", *args, "--out", str(tmp_path), stdout=out)
    return out.getvalue()


def test_counts_by_category_and_one_file_per_customer_in_both_languages(tmp_path):
    today = timezone.localdate()
    make_customer(email="buyer@example.com", language="ar")

    make_customer(email="browser@example.com")
    text = _run(tmp_path, "--since", str(today - timedelta(days=1)))
    assert "identity: 2 customer(s)" in text
    assert "contact: 2 customer(s)" in text
    assert "financial: 0 customer(s)" in text
    assert "Customers affected: 2" in text
    assert "72 hours" in text
    assert "buyer" not in text and "browser" not in text
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["notice-00001.txt", "notice-00002.txt"]
    bodies = [p.read_text(encoding="utf-8") for p in tmp_path.iterdir()]
    assert sorted(b.splitlines()[0] for b in bodies) == [
        "To: browser@example.com",
        "To: buyer@example.com",
    ]
    for body in bodies:
        assert "Subject (en):" in body and "Subject (ar):" in body
        assert "حادث" in body or "أمني" in body
    assert AuditEntry.objects.filter(action=AuditAction.BREACH_REPORT).count() == 1


def test_a_key_narrows_the_report_to_its_customer(tmp_path):
    first = make_customer()
    make_customer()
    key = DataKey.objects.get(subject_id=first.pk)
    text = _run(tmp_path, "--since", "2000-01-01", "--key", str(key.pk))
    assert "Customers affected: 1" in text
    assert [p.read_text().splitlines()[0] for p in tmp_path.iterdir()] == [f"To: {first.email}"]


def test_accounts_opened_after_the_window_or_erased_before_it_are_left_out(tmp_path):
    erased = make_customer()
    erasure_carry_out(erased)
    with freeze_time(timezone.now() + timedelta(days=10)):
        make_customer()
    since = timezone.now() + timedelta(days=1)
    until = timezone.now() + timedelta(days=2)
    text = _run(tmp_path, "--since", since.date().isoformat(), "--until", until.date().isoformat())
    assert "Customers affected: 0" in text
    assert list(tmp_path.iterdir()) == []


def test_bad_arguments_are_refused_clearly(tmp_path):
    with pytest.raises(CommandError, match="Not a date"):
        _run(tmp_path, "--since", "yesterday")
    with pytest.raises(CommandError, match="UUID"):
        _run(tmp_path, "--since", "2026-01-01", "--key", "k1")
    assert not AuditEntry.objects.filter(action=AuditAction.BREACH_REPORT).exists()
