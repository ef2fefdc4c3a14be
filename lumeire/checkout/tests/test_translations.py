"""Every checkout message a shopper can see exists in Arabic, compiled."""

from __future__ import annotations

from pathlib import Path

from django.utils import translation

from lumeire.checkout.errors import CheckoutError
from lumeire.checkout.services import parse_payment
from lumeire.orders.tests.catalogue import catalogue_problems, shown_strings

APP = Path(__file__).resolve().parent.parent


def test_the_arabic_catalogue_is_complete_and_compiled():
    assert "Your cart is empty." in shown_strings(APP), "the scan found the services' messages"
    assert catalogue_problems(APP) == []


def test_a_refusal_reads_in_the_shoppers_language():
    with translation.override("ar"):
        try:
            parse_payment("cheque")
        except CheckoutError as refused:
            message = refused.message

    assert message == "اختر الدفع بالبطاقة أو عند الاستلام."
