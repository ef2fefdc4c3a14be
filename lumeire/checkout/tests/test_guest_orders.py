"""A guest's order after the checkout: the link that opens it, asking for it again, cancelling,
and the guest schedule that erases the details while the sale stays."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import caches
from django.utils import timezone

from lumeire.accounts.tests.factories import make_customer
from lumeire.audit.models import AuditEntry
from lumeire.checkout.tests.factories import fill_cart, place, shelf_variant
from lumeire.checkout.tests.test_guest_checkout import GUEST_EMAIL, guest_cart, place_as_guest
from lumeire.core.tokens import secret_hash
from lumeire.orders.errors import OrderError, OrderNotFound
from lumeire.orders.guests import (
    FINDS_PER_CLIENT_PER_HOUR,
    guest_link_resend,
    guest_link_secret,
    guest_order_get,
    guest_order_open,
    guest_orders_erase_due,
)
from lumeire.orders.models import Order, OrderEvent, OrderStatus
from lumeire.orders.services import order_cancel_by_guest, order_transition
from lumeire.privacy.retention import purge_expired
from lumeire.vault.fields import is_erased
from lumeire.vault.models import DataKey

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_counters():
    caches["shared"].clear()


def guest_order(**kwargs) -> Order:
    return place_as_guest(guest_cart([(shelf_variant(stock=5), 1)]), **kwargs).order


def link_hash_of(order: Order) -> str:
    """What a browser keeps of the order's emailed link."""
    return secret_hash(guest_link_secret(order))


def ended(order: Order, status: str, days_ago: int) -> Order:
    """Move the order to ``status`` (as the store), its last step ``days_ago`` days back."""
    Order.objects.filter(pk=order.pk).update(status=status)
    at = timezone.now() - timedelta(days=days_ago)
    OrderEvent.objects.create(order=order, to_status=status, actor_kind="system", at=at)
    OrderEvent.objects.filter(order=order).update(at=at)
    return Order.objects.get(pk=order.pk)


# --- The link --------------------------------------------------------------------------------


def test_the_link_opens_its_order_and_the_session_keeps_only_a_hash():
    order = guest_order()
    secret = guest_link_secret(order)

    link_hash = guest_order_open(number=order.number, token=secret, client_ref="client-a")

    assert link_hash == secret_hash(secret) == order.guest_link_hash
    assert secret not in link_hash
    assert guest_order_get(number=order.number.lower(), link_hash=link_hash).pk == order.pk


@pytest.mark.parametrize("case", ["wrong secret", "other order", "customer order", "no order"])
def test_any_other_link_is_the_same_not_found(case):
    order, other = guest_order(), guest_order()
    customer = make_customer()
    fill_cart(customer, [(shelf_variant(), 1)])
    customers = place(customer).order
    number, token = {
        "wrong secret": (order.number, guest_link_secret(order)[:-2] + "xx"),
        "other order": (order.number, guest_link_secret(other)),
        "customer order": (customers.number, guest_link_secret(customers)),
        "no order": ("LUM-0000-0000", guest_link_secret(order)),
    }[case]

    with pytest.raises(OrderNotFound) as missing:
        guest_order_open(number=number, token=token, client_ref="client-b")

    assert missing.value.message == "There is no such order."


def test_opening_links_is_rate_limited_per_client_address():
    order = guest_order()
    for _attempt in range(30):
        with pytest.raises(OrderNotFound):
            guest_order_open(number=order.number, token="guess", client_ref="client-c")

    with pytest.raises(OrderError) as throttled:
        guest_order_open(number=order.number, token=guest_link_secret(order), client_ref="client-c")

    assert throttled.value.status_code == 429
    # Another address is not held back.
    assert guest_order_open(
        number=order.number, token=guest_link_secret(order), client_ref="client-d"
    )


# --- Find my order ---------------------------------------------------------------------------


def test_find_my_order_emails_the_link_again_when_number_and_email_match(
    mailoutbox, django_capture_on_commit_callbacks
):
    order = guest_order()
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        answer = guest_link_resend(
            number=order.number.lower(), email=" Guest.Buyer@Example.com ", client_ref="c1"
        )

    assert answer is None
    [email] = mailoutbox
    assert email.to == [GUEST_EMAIL]
    assert f"/en/orders/{order.number}/link/{guest_link_secret(order)}/" in email.body


@pytest.mark.parametrize("case", ["wrong email", "no order", "customer order"])
def test_find_my_order_answers_the_same_and_sends_nothing_without_a_match(
    case, mailoutbox, django_capture_on_commit_callbacks
):
    order = guest_order()
    customer = make_customer()
    fill_cart(customer, [(shelf_variant(), 1)])
    customers = place(customer).order
    number, email = {
        "wrong email": (order.number, "someone.else@example.com"),
        "no order": ("LUM-0000-0000", GUEST_EMAIL),
        "customer order": (customers.number, customer.email),
    }[case]
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        answer = guest_link_resend(number=number, email=email, client_ref="c2")

    assert answer is None
    assert mailoutbox == []


def test_find_my_order_is_rate_limited_per_client_address(django_capture_on_commit_callbacks):
    for _attempt in range(FINDS_PER_CLIENT_PER_HOUR):
        guest_link_resend(number="LUM-0000-0000", email=GUEST_EMAIL, client_ref="c3")

    with pytest.raises(OrderError) as throttled:
        guest_link_resend(number="LUM-0000-0000", email=GUEST_EMAIL, client_ref="c3")

    assert throttled.value.status_code == 429


# --- Cancelling ------------------------------------------------------------------------------


def test_a_guest_cancels_while_the_order_is_not_packed_and_the_stock_returns():
    order = guest_order()
    variant = order.lines.get().variant
    before = variant.__class__.objects.get(pk=variant.pk).stock

    cancelled = order_cancel_by_guest(order=order, link_hash=link_hash_of(order))

    assert cancelled.status == OrderStatus.CANCELLED
    assert variant.__class__.objects.get(pk=variant.pk).stock == before + 1
    assert cancelled.events.order_by("at", "id").last().actor_kind == "customer"


def test_a_guest_cannot_cancel_a_packed_order():
    order = guest_order()
    order_transition(actor=None, order=order, to=OrderStatus.PACKED)

    with pytest.raises(OrderError):
        order_cancel_by_guest(order=order, link_hash=link_hash_of(order))

    assert Order.objects.get(pk=order.pk).status == OrderStatus.PACKED


def test_a_customers_order_cannot_be_cancelled_as_a_guest():
    customer = make_customer()
    fill_cart(customer, [(shelf_variant(), 1)])
    order = place(customer).order

    with pytest.raises(OrderNotFound):
        order_cancel_by_guest(order=order, link_hash="")

    assert Order.objects.get(pk=order.pk).status == OrderStatus.PENDING_PAYMENT


@pytest.mark.parametrize("link_hash", ["", "0" * 64, "wrong"])
def test_a_guest_order_is_not_cancelled_without_its_own_link(link_hash):
    order = guest_order()

    with pytest.raises(OrderNotFound):
        order_cancel_by_guest(order=order, link_hash=link_hash)

    assert Order.objects.get(pk=order.pk).status == OrderStatus.PENDING_PAYMENT


# --- The guest schedule ----------------------------------------------------------------------


def test_the_guest_schedule_erases_the_details_and_keeps_the_sale():
    order = ended(guest_order(), OrderStatus.DELIVERED, days_ago=31)
    link_hash = order.guest_link_hash
    total, invoice = order.total, order.invoice_number

    assert guest_orders_erase_due(now=timezone.now()) == 1

    kept = Order.objects.get(pk=order.pk)
    assert all(is_erased(getattr(kept, name)) for name in ("guest_email", "full_name", "phone"))
    assert str(kept.street) == "[erased]"
    assert (kept.total, kept.invoice_number, kept.lines.count()) == (total, invoice, 1)
    assert kept.guest_link_hash == "" and kept.guest_erased_at is not None
    assert DataKey.objects.get(subject_id=order.pk).shredded_at is not None
    with pytest.raises(OrderNotFound):
        guest_order_get(number=order.number, link_hash=link_hash)
    with pytest.raises(OrderNotFound):
        guest_order_open(number=order.number, token=guest_link_secret(order), client_ref="client-e")
    entry = AuditEntry.objects.filter(action="guest_order_erased").get()
    assert entry.target_id == order.number
    # A second pass finds nothing more.
    assert guest_orders_erase_due(now=timezone.now()) == 0


def test_the_guest_schedule_keeps_orders_that_have_not_ended_or_ended_recently():
    open_order = ended(guest_order(), OrderStatus.SHIPPED, days_ago=90)
    recent = ended(guest_order(), OrderStatus.CANCELLED, days_ago=29)
    customer = make_customer()
    fill_cart(customer, [(shelf_variant(), 1)])
    customers = ended(place(customer).order, OrderStatus.DELIVERED, days_ago=400)

    assert guest_orders_erase_due(now=timezone.now()) == 0

    for order in (open_order, recent):
        assert Order.objects.get(pk=order.pk).guest_email == GUEST_EMAIL
    assert str(Order.objects.get(pk=customers.pk).full_name) == "Aisha Al-Harbi"


def test_the_daily_retention_pass_applies_the_guest_schedule(settings):
    settings.LUMEIRE_GUEST_ORDER_DAYS = 10
    order = ended(guest_order(), OrderStatus.REFUNDED, days_ago=11)

    counts = purge_expired()

    assert counts["guest_orders"] == 1
    assert is_erased(Order.objects.get(pk=order.pk).guest_email)
