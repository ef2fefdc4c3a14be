"""Order statuses, refusals and emails exist in Arabic, compiled."""

from __future__ import annotations

from pathlib import Path

from django.utils import translation

from lumeire.orders.models import OrderStatus
from lumeire.orders.tests.catalogue import catalogue_problems, shown_strings

APP = Path(__file__).resolve().parent.parent


def test_the_arabic_catalogue_is_complete_and_compiled():
    assert "Your order %(number)s is confirmed" in shown_strings(APP), "the scan found templates"
    assert catalogue_problems(APP) == []


def test_statuses_read_in_arabic():
    with translation.override("ar"):
        labels = [str(status.label) for status in OrderStatus]

    assert labels == [
        "بانتظار الدفع",
        "مدفوع",
        "جاهز للشحن",
        "تم الشحن",
        "تم التسليم",
        "ملغى",
        "مُسترد",
    ]
