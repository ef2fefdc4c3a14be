"""The order confirmation: sent once the order is committed, in the language of the checkout."""

from __future__ import annotations

import pytest
from django.conf import settings

from lumeire.accounts.tests.factories import make_customer
from lumeire.checkout.errors import PaymentDeclined
from lumeire.checkout.tests.factories import (
    DECLINED_CARD,
    card_token,
    fill_cart,
    place,
    shelf_variant,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer_and_cart(mailoutbox):
    def make(language: str):
        customer = make_customer(language=language)
        variant = shelf_variant(price="60.00", name_en="Rose water", name_ar="ماء الورد")
        fill_cart(customer, [(variant, 2)])
        mailoutbox.clear()  # the sign-up's own email
        return customer

    return make


def test_an_english_checkout_confirms_the_order_in_english(
    customer_and_cart, mailoutbox, django_capture_on_commit_callbacks
):
    customer = customer_and_cart("en")

    with django_capture_on_commit_callbacks(execute=True):
        order = place(customer).order

    [email] = mailoutbox
    assert email.to == [customer.email]
    assert email.subject == f"Your order {order.number} is confirmed"
    assert "2 × Rose water — 138.00\N{NO-BREAK SPACE}SAR" in email.body
    assert "Total: 163.00\N{NO-BREAK SPACE}SAR" in email.body
    # Delivery as charged (VAT included), then the VAT the total includes: 138 + 25 = 163.
    assert "Shipping (Standard delivery (3–5 days)): 25.00\N{NO-BREAK SPACE}SAR" in email.body
    assert "VAT included: 21.26\N{NO-BREAK SPACE}SAR" in email.body
    link = f"{settings.LUMEIRE_SITE_URL.rstrip('/')}/en/account/orders/{order.number}/"
    assert link in email.body


def test_an_arabic_checkout_confirms_the_order_in_arabic(
    customer_and_cart, mailoutbox, django_capture_on_commit_callbacks
):
    customer = customer_and_cart("ar")

    with django_capture_on_commit_callbacks(execute=True):
        order = place(customer, language="ar").order

    [email] = mailoutbox
    assert email.subject == f"تم تأكيد طلبك {order.number}"
    # Amounts read 138.00 in every language, as on the site and the invoice; the currency
    # is the Arabic abbreviation, kept to its amount by a no-break space.
    assert "2 × ماء الورد — 138.00\N{NO-BREAK SPACE}ر.س" in email.body
    assert "الإجمالي: 163.00\N{NO-BREAK SPACE}ر.س" in email.body
    assert f"/ar/account/orders/{order.number}/" in email.body
    assert "Total" not in email.body and "Thank you" not in email.body and "SAR" not in email.body


def test_no_email_leaves_before_the_order_is_committed(
    customer_and_cart, mailoutbox, django_capture_on_commit_callbacks
):
    customer = customer_and_cart("en")

    with django_capture_on_commit_callbacks(execute=False) as waiting:
        place(customer)

    # The confirmation waits for the commit (beside the queued irregular-activity check).
    assert mailoutbox == [] and waiting
    for callback in waiting:
        callback()
    assert len(mailoutbox) == 1


def test_a_refused_checkout_sends_nothing(
    customer_and_cart, mailoutbox, django_capture_on_commit_callbacks
):
    customer = customer_and_cart("en")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(PaymentDeclined):
        place(customer, pay="card", token=card_token(DECLINED_CARD))

    assert mailoutbox == []
