"""Order emails after a move: shipped, cancelled, refunded, each in the order's language."""

from __future__ import annotations

import logging
from smtplib import SMTPRecipientsRefused

import pytest

from lumeire.accounts.tests.factories import make_customer
from lumeire.orders.errors import OrderError
from lumeire.orders.models import Order, OrderStatus, PaymentMethod
from lumeire.orders.services import order_cancel_by_customer, order_transition
from lumeire.orders.tests.factories import at_status, make_order, make_staff
from lumeire.staff.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    return make_staff(Role.OWNER)


def order_for(language: str, mailoutbox, **kwargs) -> Order:
    order = make_order(make_customer(language=language), language=language, **kwargs)
    mailoutbox.clear()
    return order


@pytest.mark.parametrize(
    ("language", "subject", "line"),
    [
        ("en", "Your order {number} is on its way", "The carrier's tracking number is SMSA-88."),
        ("ar", "طلبك {number} في الطريق إليك", "رقم التتبع لدى شركة الشحن هو SMSA-88."),
    ],
)
def test_shipping_sends_the_tracking_number(
    language, subject, line, staff, mailoutbox, django_capture_on_commit_callbacks
):
    order = at_status(order_for(language, mailoutbox), OrderStatus.PACKED)

    with django_capture_on_commit_callbacks(execute=True):
        order_transition(
            actor=staff, order=order, to=OrderStatus.SHIPPED, tracking_number="SMSA-88"
        )

    [email] = mailoutbox
    assert email.to == [order.customer.email]
    assert email.subject == subject.format(number=order.number)
    assert line in email.body


@pytest.mark.parametrize(
    ("payment", "language", "subject", "line"),
    [
        (
            PaymentMethod.CASH_ON_DELIVERY,
            "en",
            "Your order {number} is cancelled",
            "Nothing is due.",
        ),
        (
            PaymentMethod.CARD,
            "en",
            "Your order {number} is cancelled",
            "Any amount taken from your card is returned to it.",
        ),
        (PaymentMethod.CARD, "ar", "تم إلغاء طلبك {number}", "أي مبلغ خُصم من بطاقتك يُعاد إليها."),
    ],
)
def test_cancelling_tells_the_customer_whether_money_comes_back(
    payment, language, subject, line, mailoutbox, django_capture_on_commit_callbacks
):
    order = order_for(language, mailoutbox, payment=payment)

    with django_capture_on_commit_callbacks(execute=True):
        order_cancel_by_customer(customer=order.customer, order=order)

    [email] = mailoutbox
    assert email.subject == subject.format(number=order.number)
    assert line in email.body


@pytest.mark.parametrize(
    ("language", "subject", "line"),
    [
        (
            "en",
            "Your order {number} is refunded",
            "{total}\u00a0SAR is on its way back to your card.",
        ),
        ("ar", "تم رد مبلغ طلبك {number}", "مبلغ {total}\u00a0ر.س في طريقه إلى بطاقتك."),
    ],
)
def test_refunding_tells_the_amount(
    language, subject, line, staff, mailoutbox, django_capture_on_commit_callbacks
):
    order = at_status(
        order_for(language, mailoutbox, payment=PaymentMethod.CARD), OrderStatus.DELIVERED
    )

    with django_capture_on_commit_callbacks(execute=True):
        order_transition(actor=staff, order=order, to=OrderStatus.REFUNDED)

    [email] = mailoutbox
    assert email.subject == subject.format(number=order.number)
    # Amounts go through the store's one money format (lumeire.core.formatting), Arabic too.
    assert line.format(total=f"{order.total:,.2f}") in email.body


def test_moves_without_news_for_the_customer_and_refused_moves_send_nothing(
    staff, mailoutbox, django_capture_on_commit_callbacks
):
    order = order_for("en", mailoutbox)

    with django_capture_on_commit_callbacks(execute=True):
        order_transition(actor=staff, order=order, to=OrderStatus.PACKED)
        with pytest.raises(OrderError):
            order_transition(actor=staff, order=order, to=OrderStatus.DELIVERED)

    assert mailoutbox == []


def test_a_mail_server_refusing_the_email_does_not_undo_the_move_nor_log_the_address(
    staff, mailoutbox, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    order = at_status(order_for("en", mailoutbox), OrderStatus.PACKED)
    address = order.customer.email

    def refuse(self, fail_silently=False):
        raise SMTPRecipientsRefused({address: (550, b"mailbox unavailable")})

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    with caplog.at_level(logging.DEBUG), django_capture_on_commit_callbacks(execute=True):
        order_transition(actor=staff, order=order, to=OrderStatus.SHIPPED, tracking_number="T-1")

    assert Order.objects.get(pk=order.pk).status == OrderStatus.SHIPPED
    [record] = [r for r in caplog.records if r.name == "lumeire.orders.emails"]
    assert (record.levelname, record.getMessage(), record.failure) == (
        "ERROR",
        "order email not sent",
        "SMTPRecipientsRefused",
    )
    assert address not in caplog.text and record.exc_info is None
