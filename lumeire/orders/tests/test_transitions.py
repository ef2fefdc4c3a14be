"""The order's life: which moves each actor may make, and what every move does or leaves alone.

The table below restates the issue (pending payment -> paid -> packed -> shipped -> delivered;
cancelled by the customer before packing or by staff; refunded for card orders only) and is
checked against every pair of statuses, both payment methods and the three kinds of actor.
"""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from django.forms.models import model_to_dict

from lumeire.accounts.tests.factories import make_customer
from lumeire.catalog.models import Product, Variant
from lumeire.orders.errors import OrderError, OrderErrorCode, OrderNotFound
from lumeire.orders.models import (
    ActorKind,
    Order,
    OrderEvent,
    OrderStatus,
    PaymentMethod,
    PaymentStatus,
)
from lumeire.orders.services import order_cancel_by_customer, order_transition
from lumeire.orders.tests.factories import at_status, make_order, make_staff, shelf_variant
from lumeire.orders.transitions import next_statuses, transition_allowed
from lumeire.payments.errors import PaymentError
from lumeire.payments.gateway import card_gateway
from lumeire.payments.models import ChargeStatus, TestGatewayCharge
from lumeire.staff.roles import Role

pytestmark = pytest.mark.django_db

S, CARD, COD = OrderStatus, PaymentMethod.CARD, PaymentMethod.CASH_ON_DELIVERY
STAFF_MOVES = {
    COD: {
        (S.PENDING_PAYMENT, S.PAID),
        (S.PENDING_PAYMENT, S.PACKED),  # cash is paid at the door: packed while pending
        (S.PENDING_PAYMENT, S.CANCELLED),
        (S.PAID, S.PACKED),
        (S.PAID, S.CANCELLED),
        (S.PACKED, S.SHIPPED),
        (S.PACKED, S.CANCELLED),
        (S.SHIPPED, S.DELIVERED),
    },
    CARD: {
        (S.PENDING_PAYMENT, S.CANCELLED),
        (S.PAID, S.PACKED),
        (S.PAID, S.CANCELLED),
        (S.PAID, S.REFUNDED),
        (S.PACKED, S.SHIPPED),
        (S.PACKED, S.CANCELLED),
        (S.PACKED, S.REFUNDED),
        (S.SHIPPED, S.DELIVERED),
        (S.SHIPPED, S.REFUNDED),
        (S.DELIVERED, S.REFUNDED),
    },
}
CUSTOMER_MOVES = {(S.PENDING_PAYMENT, S.CANCELLED), (S.PAID, S.CANCELLED)}


def allowed_by_the_issue(current, to, payment, actor_kind) -> bool:
    if actor_kind == ActorKind.CUSTOMER:
        return (current, to) in CUSTOMER_MOVES
    return (current, to) in STAFF_MOVES[payment]


EVERY_CASE = list(
    itertools.product(list(OrderStatus), list(OrderStatus), [COD, CARD], list(ActorKind))
)


@pytest.mark.django_db(False)
@pytest.mark.parametrize(("current", "to", "payment", "actor_kind"), EVERY_CASE)
def test_the_transition_table_is_the_issues(current, to, payment, actor_kind):
    assert transition_allowed(
        current=current, to=to, payment_method=payment, actor_kind=actor_kind
    ) is allowed_by_the_issue(current, to, payment, actor_kind)


@pytest.mark.django_db(False)
def test_the_next_moves_are_listed_in_the_lifecycle_order():
    assert next_statuses(current=S.PAID, payment_method=CARD, actor_kind=ActorKind.STAFF) == [
        "packed",
        "cancelled",
        "refunded",
    ]
    assert next_statuses(current=S.PACKED, payment_method=COD, actor_kind=ActorKind.CUSTOMER) == []


# --- Real orders: refused moves change nothing ---------------------------------------------------


def snapshot(order: Order) -> dict:
    """Everything a move could touch: the order row, its events, the stock and the charge."""
    row = model_to_dict(Order.objects.get(pk=order.pk))
    row.pop("updated_at", None)
    return {
        "order": {key: str(value) for key, value in row.items()},
        "events": list(OrderEvent.objects.filter(order=order).values_list("pk", flat=True)),
        "stock": sorted(Variant.objects.values_list("pk", "stock")),
        "charges": sorted(TestGatewayCharge.objects.values_list("reference", "status")),
    }


@pytest.fixture
def actors():
    customer = make_customer()
    return {
        ActorKind.CUSTOMER: customer,
        ActorKind.STAFF: make_staff(Role.OWNER),
        ActorKind.SYSTEM: None,
    }


@pytest.mark.parametrize("payment", [COD, CARD])
@pytest.mark.parametrize("current", list(OrderStatus))
def test_every_refused_move_changes_nothing_and_records_nothing(actors, payment, current):
    order = at_status(make_order(actors[ActorKind.CUSTOMER], payment=payment), current)
    before = snapshot(order)
    refused_cases = [
        (to, kind)
        for to, kind in itertools.product(list(OrderStatus), list(ActorKind))
        if not allowed_by_the_issue(current, to, payment, kind)
    ]
    assert refused_cases  # every status refuses something

    for to, kind in refused_cases:
        with pytest.raises(OrderError) as refused:
            order_transition(actor=actors[kind], order=order, to=to, tracking_number="TRK-1")

        assert refused.value.code == OrderErrorCode.TRANSITION_NOT_ALLOWED, (to, kind)
        assert snapshot(order) == before, (to, kind)


@pytest.mark.parametrize("payment", [COD, CARD])
def test_every_allowed_move_is_made_and_recorded_with_who_made_it(actors, payment):
    for (current, to), kind in itertools.product(
        sorted(STAFF_MOVES[payment] | CUSTOMER_MOVES), list(ActorKind)
    ):
        if not allowed_by_the_issue(current, to, payment, kind):
            continue
        order = at_status(make_order(actors[ActorKind.CUSTOMER], payment=payment), current)

        moved = order_transition(actor=actors[kind], order=order, to=to, tracking_number="TRK-9")

        assert Order.objects.get(pk=order.pk).status == moved.status == to
        event = OrderEvent.objects.filter(order=order).latest("id")
        assert (event.from_status, event.to_status, event.actor_kind) == (current, to, kind)
        assert event.actor == actors[kind]


def test_an_unknown_status_is_refused_like_any_other_wrong_move(actors):
    order = make_order(actors[ActorKind.CUSTOMER])
    before = snapshot(order)

    with pytest.raises(OrderError) as refused:
        order_transition(actor=actors[ActorKind.STAFF], order=order, to="lost-in-the-post")

    assert refused.value.code == OrderErrorCode.TRANSITION_NOT_ALLOWED
    assert (
        refused.value.message == "An order that is pending payment cannot become lost-in-the-post."
    )
    assert snapshot(order) == before


# --- Effects -------------------------------------------------------------------------------------


def stock_of(variant: Variant) -> int:
    return Variant.objects.get(pk=variant.pk).stock


def test_a_customer_cancelling_a_cash_order_puts_the_stock_back_and_voids_the_payment():
    customer = make_customer()
    variant = shelf_variant(stock=3)
    order = make_order(customer, [(variant, 3)])
    assert stock_of(variant) == 0

    cancelled = order_cancel_by_customer(customer=customer, order=order)

    assert (cancelled.status, cancelled.payment_status) == (S.CANCELLED, PaymentStatus.VOIDED)
    assert stock_of(variant) == 3
    event = OrderEvent.objects.filter(order=order).latest("id")
    assert (event.actor, event.actor_kind) == (customer, ActorKind.CUSTOMER)


def test_stock_coming_back_puts_a_sold_out_product_back_in_stock():
    customer = make_customer()
    variant = shelf_variant(stock=1)
    order = make_order(customer, [(variant, 1)])
    product = Product.objects.get(pk=variant.product_id)
    product.in_stock = False  # as checkout marks a product whose last unit it sold
    product.save(update_fields=["in_stock"])

    order_cancel_by_customer(customer=customer, order=order)

    assert Product.objects.get(pk=variant.product_id).in_stock is True


def test_a_customer_cancelling_a_paid_card_order_gets_the_money_back_through_the_gateway():
    customer = make_customer()
    variant = shelf_variant(price="40.00", stock=2)
    order = make_order(customer, [(variant, 2)], payment=CARD)

    cancelled = order_cancel_by_customer(customer=customer, order=order)

    assert (cancelled.status, cancelled.payment_status) == (S.CANCELLED, PaymentStatus.REFUNDED)
    charge = TestGatewayCharge.objects.get(reference=order.payment_reference)
    assert (charge.status, charge.refunded_amount) == (ChargeStatus.REFUNDED, order.total)
    assert stock_of(variant) == 2


def test_a_customer_cannot_cancel_once_the_parcel_is_packed():
    customer = make_customer()
    variant = shelf_variant(stock=2)
    order = at_status(make_order(customer, [(variant, 1)]), S.PACKED)

    with pytest.raises(OrderError) as refused:
        order_cancel_by_customer(customer=customer, order=order)

    assert refused.value.message == "An order that is packed cannot become cancelled."
    assert Order.objects.get(pk=order.pk).status == S.PACKED and stock_of(variant) == 1


def test_a_customer_cannot_cancel_someone_elses_order_and_learns_nothing_of_it():
    owner, stranger = make_customer(), make_customer()
    variant = shelf_variant(stock=2)
    order = make_order(owner, [(variant, 1)])
    before = snapshot(order)

    with pytest.raises(OrderNotFound) as refused:
        order_cancel_by_customer(customer=stranger, order=order)

    assert refused.value.status_code == 404
    assert refused.value.message == "There is no such order in your account."
    assert snapshot(order) == before


def test_staff_refunding_a_delivered_card_order_refunds_through_the_gateway_and_keeps_stock():
    customer = make_customer()
    variant = shelf_variant(price="80.00", stock=4)
    order = at_status(make_order(customer, [(variant, 1)], payment=CARD), S.DELIVERED)
    staff = make_staff(Role.OWNER)

    refunded = order_transition(actor=staff, order=order, to=S.REFUNDED, note="Damaged parcel")

    assert (refunded.status, refunded.payment_status) == (S.REFUNDED, PaymentStatus.REFUNDED)
    charge = TestGatewayCharge.objects.get(reference=order.payment_reference)
    assert (charge.status, charge.refunded_amount) == (ChargeStatus.REFUNDED, Decimal("117.00"))
    assert stock_of(variant) == 3  # the goods went to the customer; they come back as a return
    event = OrderEvent.objects.filter(order=order).latest("id")
    assert (event.actor, event.actor_kind, event.note) == (staff, ActorKind.STAFF, "Damaged parcel")


def test_staff_refunding_a_packed_card_order_also_puts_the_stock_back():
    customer = make_customer()
    variant = shelf_variant(stock=4)
    order = at_status(make_order(customer, [(variant, 2)], payment=CARD), S.PACKED)

    order_transition(actor=make_staff(Role.OWNER), order=order, to=S.REFUNDED)

    assert stock_of(variant) == 4


def test_a_refund_the_gateway_refuses_leaves_the_order_as_it_was():
    customer = make_customer()
    variant = shelf_variant(stock=4)
    order = at_status(make_order(customer, [(variant, 2)], payment=CARD), S.PACKED)
    card_gateway().refund(authorisation=order.payment_reference, amount=order.total)  # elsewhere
    before = snapshot(order)

    with pytest.raises(PaymentError) as refused:
        order_transition(
            actor=make_staff(Role.OWNER),
            order=order,
            to=S.REFUNDED,
        )

    assert refused.value.code == "not_refundable"
    assert snapshot(order) == before and stock_of(variant) == 2


def test_fulfilment_cannot_refund_or_cancel_but_customer_service_can_and_cannot_pack():
    customer = make_customer()
    packer, agent = make_staff(Role.FULFILMENT), make_staff(Role.CUSTOMER_SERVICE)
    order = at_status(make_order(customer, payment=CARD), S.SHIPPED)
    before = snapshot(order)

    for to, label in ((S.REFUNDED, "refunded"), (S.CANCELLED, "cancelled")):
        with pytest.raises(OrderError) as refused:
            order_transition(actor=packer, order=order, to=to)
        assert refused.value.code == OrderErrorCode.NOT_PERMITTED
        assert refused.value.status_code == 403
        assert refused.value.message == f"Your role cannot move an order to {label}."
    assert snapshot(order) == before
    fresh = make_order(customer, payment=CARD)
    with pytest.raises(OrderError):
        order_transition(actor=agent, order=fresh, to=S.PACKED)
    assert order_transition(actor=agent, order=fresh, to=S.CANCELLED).status == S.CANCELLED
    assert order_transition(actor=agent, order=order, to=S.REFUNDED).status == S.REFUNDED


def test_staff_without_the_order_permission_can_change_nothing():
    order = make_order(make_customer())
    before = snapshot(order)

    with pytest.raises(OrderError) as refused:
        order_transition(actor=make_staff(), order=order, to=S.PACKED)

    assert refused.value.code == OrderErrorCode.NOT_PERMITTED
    assert snapshot(order) == before


@pytest.mark.parametrize("tracking", ["", "   ", "X" * 65])
def test_shipping_needs_a_tracking_number_of_at_most_64_characters(tracking):
    order = at_status(make_order(make_customer()), S.PACKED)
    before = snapshot(order)

    with pytest.raises(OrderError) as refused:
        order_transition(
            actor=make_staff(Role.FULFILMENT),
            order=order,
            to=S.SHIPPED,
            tracking_number=tracking,
        )

    assert refused.value.code == OrderErrorCode.TRACKING_NUMBER_REQUIRED
    assert refused.value.field_errors == {
        "tracking_number": ["Enter the carrier's tracking number (up to 64 characters)."]
    }
    assert snapshot(order) == before


def test_a_shipped_order_keeps_its_tracking_number():
    order = at_status(make_order(make_customer()), S.PACKED)

    shipped = order_transition(
        actor=make_staff(Role.FULFILMENT),
        order=order,
        to=S.SHIPPED,
        tracking_number="  SMSA-2900118877  ",
    )

    assert Order.objects.get(pk=order.pk).tracking_number == shipped.tracking_number
    assert shipped.tracking_number == "SMSA-2900118877"


def test_cash_collected_at_the_door_marks_the_payment_collected():
    order = at_status(make_order(make_customer()), S.SHIPPED)

    delivered = order_transition(actor=make_staff(Role.FULFILMENT), order=order, to=S.DELIVERED)

    assert (delivered.status, delivered.payment_status) == (S.DELIVERED, PaymentStatus.COLLECTED)


def test_a_long_note_is_cut_to_the_events_length():
    order = make_order(make_customer())

    order_transition(actor=make_staff(Role.FULFILMENT), order=order, to=S.PACKED, note="n" * 500)

    assert OrderEvent.objects.filter(order=order).latest("id").note == "n" * 200
