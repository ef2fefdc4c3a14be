"""Every order email speaks the account's language and writes money as the store does."""

from __future__ import annotations

import pytest

from lumeire.accounts.tests.factories import make_customer
from lumeire.orders.emails import send_order_email
from lumeire.orders.models import OrderStatus, PaymentMethod
from lumeire.orders.services import order_cancel_by_customer, order_transition
from lumeire.orders.tests.factories import at_status, make_order, make_staff
from lumeire.staff.roles import Role

pytestmark = pytest.mark.django_db


def test_confirmation_and_cancellation_follow_the_accounts_language_not_the_sites(
    mailoutbox, django_capture_on_commit_callbacks
):
    # Placed from the English site by an account set to Arabic: both emails are Arabic.
    order = make_order(make_customer(language="ar"), language="en")
    mailoutbox.clear()

    send_order_email(order, "confirmation")
    with django_capture_on_commit_callbacks(execute=True):
        order_cancel_by_customer(customer=order.customer, order=order)

    confirmation, cancellation = mailoutbox
    assert confirmation.subject == f"تم تأكيد طلبك {order.number}"
    assert cancellation.subject == f"تم إلغاء طلبك {order.number}"


def test_an_english_account_gets_english_mail_from_the_arabic_site(mailoutbox):
    order = make_order(make_customer(language="en"), language="ar")
    mailoutbox.clear()

    send_order_email(order, "confirmation")

    [email] = mailoutbox
    assert email.subject == f"Your order {order.number} is confirmed"
    assert "توصيل عادي" not in email.body and "Standard delivery" in email.body


def test_arabic_confirmation_prints_the_riyal_sign_not_sar(mailoutbox):
    order = make_order(make_customer(language="ar"), language="ar")
    mailoutbox.clear()

    send_order_email(order, "confirmation")

    [email] = mailoutbox
    assert "SAR" not in email.body
    assert f"{order.total:,.2f}\u00a0ر.س" in email.body
    assert f"{order.vat:,.2f}\u00a0ر.س" in email.body


def test_arabic_refund_prints_the_riyal_sign(mailoutbox, django_capture_on_commit_callbacks):
    order = make_order(make_customer(language="ar"), language="ar", payment=PaymentMethod.CARD)
    order = at_status(order, OrderStatus.DELIVERED)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        order_transition(actor=make_staff(Role.OWNER), order=order, to=OrderStatus.REFUNDED)

    [email] = mailoutbox
    assert "SAR" not in email.body and f"{order.total:,.2f}\u00a0ر.س" in email.body
