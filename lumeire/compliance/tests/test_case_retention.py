"""Cases are kept for their periods after they end, then purged with their report keys shredded."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from freezegun import freeze_time

from lumeire.compliance.models import Case, CaseStatus, Signal
from lumeire.compliance.tests.factories import make_case
from lumeire.privacy.retention import purge_expired
from lumeire.vault.models import DataKey
from lumeire.vault.services import data_key_for_writing

pytestmark = pytest.mark.django_db


def _ended(status: CaseStatus, at) -> Case:
    case = make_case()
    Case.objects.filter(pk=case.pk).update(status=status, ended_at=at)
    data_key_for_writing(case.key_subject)  # as a generated report would have made
    return case


def test_a_closed_case_goes_five_years_after_closing_and_not_before():
    start = timezone.now()
    case = _ended(CaseStatus.CLOSED, start)
    with freeze_time(start + timedelta(days=5 * 365) - timedelta(minutes=1)):
        assert purge_expired()["cases"] == 0
    assert Case.objects.filter(pk=case.pk).exists()
    with freeze_time(start + timedelta(days=5 * 365)):
        assert purge_expired()["cases"] == 1
        assert purge_expired()["cases"] == 0
    assert not Case.objects.filter(pk=case.pk).exists()
    assert not Signal.objects.filter(case_id=case.pk).exists()
    assert DataKey.objects.get(subject_id=case.key_subject).wrapped_key is None


def test_a_dismissed_case_goes_after_ninety_days_and_active_ones_stay(settings):
    start = timezone.now()
    dismissed = _ended(CaseStatus.DISMISSED, start)
    open_case = make_case()
    with freeze_time(start + timedelta(days=89, hours=23)):
        assert purge_expired()["cases"] == 0
    with freeze_time(start + timedelta(days=90)):
        assert purge_expired()["cases"] == 1
    assert not Case.objects.filter(pk=dismissed.pk).exists()
    assert Case.objects.filter(pk=open_case.pk).exists()
    settings.LUMEIRE_DISMISSED_CASE_DAYS = 10
    later = _ended(CaseStatus.DISMISSED, start)
    with freeze_time(start + timedelta(days=10)):
        assert purge_expired()["cases"] == 1
    assert not Case.objects.filter(pk=later.pk).exists()
