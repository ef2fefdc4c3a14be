"""Every role against every service act, called directly (no page in between): order moves,
reveals, the delivery view, exports and customer searches. The expected answers are written out
below by hand, as the rules read, so the test fails when the access model drifts from them.

The pages are the access matrix's (test_access_matrix.py); this is what any interface, command
or script gets when it calls the services itself.
"""

from __future__ import annotations

import pytest

from lumeire.accounts.models import Customer
from lumeire.accounts.tests.factories import identity_number, make_customer
from lumeire.audit.models import AuditAction, AuditEntry
from lumeire.backoffice.customers_admin import CUSTOMER_TARGET
from lumeire.backoffice.orders_admin import ORDER_TARGET
from lumeire.backoffice.tests.factories import make_staff
from lumeire.checkout.tests.order_factories import SHIPPING_NAME, place_order
from lumeire.core.errors import PermissionDeniedError
from lumeire.orders.errors import OrderError, OrderErrorCode
from lumeire.orders.exports import orders_export
from lumeire.orders.models import ADDRESS_FIELDS, Order, OrderEvent, OrderStatus
from lumeire.orders.services import order_transition
from lumeire.staff.access import GROUP_OF_ROLE
from lumeire.staff.errors import StaffError
from lumeire.staff.reveal import RevealRefused, delivery_values, reveal_values
from lumeire.staff.roles import Role
from lumeire.staff.search import IdentitySearchRefused, customer_search, identity_search

pytestmark = pytest.mark.django_db

R = Role
S = OrderStatus
CLIENT = "0" * 64
REASON = "Checking the account for the customer on the phone."
EVERY_ROLE = list(Role)

# --- The rules, written out --------------------------------------------------------------------

MOVES = {
    R.OWNER: {S.PAID, S.PACKED, S.SHIPPED, S.DELIVERED, S.CANCELLED, S.REFUNDED},
    R.CUSTOMER_SERVICE: {S.CANCELLED, S.REFUNDED},
    R.FULFILMENT: {S.PACKED, S.SHIPPED, S.DELIVERED},
}
CUSTOMER_VALUES = ("full_name", "username", "email", "phone", "identity_number", "date_of_birth")
CUSTOMER_REVEALS = {
    R.OWNER: set(CUSTOMER_VALUES),
    R.CUSTOMER_SERVICE: {"full_name", "username", "email", "phone"},
    R.COMPLIANCE_OFFICER: {"identity_number", "date_of_birth"},
}
ORDER_VALUES = (*ADDRESS_FIELDS, "card")
ORDER_REVEALS = {R.OWNER: set(ORDER_VALUES), R.CUSTOMER_SERVICE: set(ORDER_VALUES)}
# Fulfilment sees an order's address on the page of its work, only while it waits to go out.
AT_WORK = {R.FULFILMENT: {S.PENDING_PAYMENT, S.PAID, S.PACKED}}
EXPORTERS = {R.OWNER, R.CUSTOMER_SERVICE, R.FULFILMENT}
CLEAR_EXPORTS = {R.OWNER: "every order, address and card", R.FULFILMENT: "orders to pack or ship"}
SEARCHERS = {R.OWNER, R.CUSTOMER_SERVICE, R.COMPLIANCE_OFFICER}
# By email or username: the roles that may see both in clear anyway.
CONTACT_SEARCHERS = {R.OWNER, R.CUSTOMER_SERVICE}
IDENTITY_SEARCHERS = {R.OWNER, R.COMPLIANCE_OFFICER}

# A move the transition table allows, for each status an order can be moved to.
MOVE_FROM = {
    S.PAID: (S.PENDING_PAYMENT, "cod"),
    S.PACKED: (S.PAID, "card"),
    S.SHIPPED: (S.PACKED, "card"),
    S.DELIVERED: (S.SHIPPED, "card"),
    S.CANCELLED: (S.PAID, "card"),
    S.REFUNDED: (S.PAID, "card"),
}


def staff_of(role: Role):
    return make_staff(groups=[GROUP_OF_ROLE[role]], username=f"svc_{role.value}")


PATHS = {
    S.PENDING_PAYMENT: [],
    S.PAID: [S.PAID],
    S.PACKED: [S.PACKED],
    S.SHIPPED: [S.PACKED, S.SHIPPED],
    S.DELIVERED: [S.PACKED, S.SHIPPED, S.DELIVERED],
    S.CANCELLED: [S.CANCELLED],
    S.REFUNDED: [S.REFUNDED],
}


def at(order: Order, status: str) -> Order:
    """Put an order at ``status`` as the store would get it there (the owner's moves)."""
    boss = make_staff(groups=[GROUP_OF_ROLE[R.OWNER]])
    for step in PATHS[status]:
        if order.status != step:
            order = order_transition(actor=boss, order=order, to=step, tracking_number="TRK-1")
    return order


def _count(action) -> int:
    return AuditEntry.objects.filter(action=action).count()


# --- Order moves ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_order_transition_makes_exactly_the_moves_of_the_role_whoever_calls_it(role):
    actor = staff_of(role)
    wrong = []
    for to, (start, payment) in MOVE_FROM.items():
        order = at(place_order(payment=payment), start)
        events = OrderEvent.objects.filter(order=order).count()
        try:
            moved = order_transition(actor=actor, order=order, to=to, tracking_number="TRK-2")
        except OrderError as refused:
            if to in MOVES.get(role, set()):
                wrong.append(f"{to}: refused ({refused.code})")
            elif (refused.code, refused.status_code) != (OrderErrorCode.NOT_PERMITTED, 403):
                wrong.append(f"{to}: refused with {refused.code}")
            fresh = Order.objects.get(pk=order.pk)
            assert (fresh.status, OrderEvent.objects.filter(order=order).count()) == (
                start,
                events,
            )
        else:
            if to not in MOVES.get(role, set()):
                wrong.append(f"{to}: made, the rules refuse it")
            assert moved.status == to
    assert wrong == [], f"{role}: " + "; ".join(wrong)


def test_fulfilment_asked_directly_to_cancel_is_refused_and_nothing_changes():
    packer = staff_of(R.FULFILMENT)
    order = place_order(payment="card")
    with pytest.raises(OrderError) as refused:
        order_transition(actor=packer, order=order, to=S.CANCELLED)
    assert refused.value.message == "Your role cannot move an order to cancelled."
    assert Order.objects.get(pk=order.pk).status == S.PAID
    assert _count(AuditAction.ORDER_CHANGED) == 0


# --- Reveals -------------------------------------------------------------------------------------


@pytest.fixture
def subject():
    customer = make_customer(full_name="Haya Al-Qahtani", identity_number=identity_number(4242))
    place_order(customer=customer)  # a saved address with a phone
    return Customer.objects.get(pk=customer.pk)


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_reveal_values_of_a_customer_gives_each_role_exactly_its_fields(role, subject):
    actor = staff_of(role)
    for name in CUSTOMER_VALUES:
        field = CUSTOMER_TARGET.field(name)
        revealed, refused = _count(AuditAction.REVEAL), _count(AuditAction.REVEAL_REFUSED)
        call = dict(actor=actor, target=CUSTOMER_TARGET, obj=subject, fields=[field], client=CLIENT)
        if name in CUSTOMER_REVEALS.get(role, set()):
            ((_label, value),) = reveal_values(
                **call, reason_category="order_support", reason=REASON
            )
            assert value and "***" not in value, (role, name)
            assert _count(AuditAction.REVEAL) == revealed + 1
        else:
            with pytest.raises(RevealRefused):
                reveal_values(**call, reason_category="order_support", reason=REASON)
            assert (_count(AuditAction.REVEAL), _count(AuditAction.REVEAL_REFUSED)) == (
                revealed,
                refused + 1,
            ), (role, name)


@pytest.mark.parametrize("role", EVERY_ROLE)
@pytest.mark.parametrize("status", [S.PAID, S.PACKED, S.SHIPPED, S.CANCELLED])
def test_reveal_values_of_an_order_follow_the_role_in_every_status(role, status):
    actor = staff_of(role)
    order = at(place_order(payment="card"), status)
    for name in ORDER_VALUES:
        field = ORDER_TARGET.field(name)
        call = dict(actor=actor, target=ORDER_TARGET, obj=order, fields=[field], client=CLIENT)
        if name in ORDER_REVEALS.get(role, set()):
            values = reveal_values(**call, reason_category="delivery", reason=REASON)
            assert "***" not in values[0][1], (role, name, status)
        else:
            with pytest.raises(RevealRefused):
                reveal_values(**call, reason_category="delivery", reason=REASON)


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_the_delivery_view_shows_the_address_only_to_fulfilment_and_only_before_shipping(role):
    actor = staff_of(role)
    address = [field for field in ORDER_TARGET.fields if field.name in ADDRESS_FIELDS]
    for status in (S.PENDING_PAYMENT, S.PAID, S.PACKED, S.SHIPPED, S.DELIVERED, S.CANCELLED):
        order = at(place_order(payment="cod"), status)
        call = dict(actor=actor, target=ORDER_TARGET, obj=order, fields=address, client=CLIENT)
        if status in AT_WORK.get(role, set()):
            values = dict(delivery_values(**call))
            assert values["Name"] == SHIPPING_NAME
        else:
            with pytest.raises(RevealRefused):
                delivery_values(**call)
    shown = AuditEntry.objects.filter(action=AuditAction.REVEAL, actor_id=actor.pk).count()
    assert shown == len(AT_WORK.get(role, set()))


def test_a_reveal_without_a_proper_reason_records_nothing(subject):
    actor = staff_of(R.OWNER)
    field = CUSTOMER_TARGET.field("email")
    for category, reason in (("", REASON), ("gossip", REASON), ("order_support", "short")):
        with pytest.raises(StaffError):
            reveal_values(
                actor=actor,
                target=CUSTOMER_TARGET,
                obj=subject,
                fields=[field],
                reason_category=category,
                reason=reason,
                client=CLIENT,
            )
    assert _count(AuditAction.REVEAL) == 0


# --- Exports -------------------------------------------------------------------------------------


@pytest.fixture
def shop():
    return {
        "waiting": place_order(payment="cod"),
        "paid": place_order(payment="card"),
        "shipped": at(place_order(payment="card"), S.SHIPPED),
        "cancelled": at(place_order(payment="cod"), S.CANCELLED),
    }


def _export(actor, *, clear: bool):
    return orders_export(
        actor=actor,
        orders=Order.objects.all(),
        columns=ORDER_TARGET.fields,
        clear=clear,
        reason_category="delivery" if clear else "",
        reason=REASON if clear else "",
        client=CLIENT,
    )


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_orders_export_gives_each_role_exactly_its_rows_and_columns(role, shop):
    actor = staff_of(role)
    if role not in EXPORTERS:
        for clear in (False, True):
            with pytest.raises(PermissionDeniedError):
                _export(actor, clear=clear)
        assert _count(AuditAction.EXPORT) == 0
        return
    masked = _export(actor, clear=False)
    assert masked.rows == 4 and SHIPPING_NAME not in masked.content
    assert masked.clear_fields == ()
    if role not in CLEAR_EXPORTS:
        with pytest.raises(RevealRefused):
            _export(actor, clear=True)
        assert _count(AuditAction.REVEAL_REFUSED) == 1
        return
    clear = _export(actor, clear=True)
    numbers = {order.number for order in shop.values()}
    in_file = {number for number in numbers if number in clear.content}
    if role == R.FULFILMENT:
        assert in_file == {shop["waiting"].number, shop["paid"].number}
        assert "card_last4" not in clear.clear_fields and "Visa ending in" not in clear.content
    else:
        assert in_file == numbers
        assert "Visa ending in 4242" in clear.content
    assert clear.content.count(SHIPPING_NAME) == len(in_file)


# --- Searches ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_customer_searches_give_each_role_exactly_its_answer(role):
    number = identity_number(6262)
    customer = make_customer(email="sara.search@example.com", identity_number=number)
    actor = staff_of(role)
    if role not in CONTACT_SEARCHERS:
        with pytest.raises(PermissionDeniedError):
            customer_search(actor=actor, term="sara.search@example.com", client=CLIENT)
    else:
        assert customer_search(actor=actor, term="sara.search@example.com", client=CLIENT) == {
            customer.pk
        }
    # An order number is the orders app's to look up; only searching roles may ask.
    if role in SEARCHERS:
        assert customer_search(actor=actor, term="lum-7k3q-9f2d", client=CLIENT) == set()
    # An identity number in the ordinary search is never looked up.
    with pytest.raises((PermissionDeniedError, StaffError)):
        customer_search(actor=actor, term=number, client=CLIENT)
    searched = dict(
        actor=actor,
        identity_number=number,
        reason_category="fraud_review",
        reason=REASON,
        client=CLIENT,
    )
    if role in IDENTITY_SEARCHERS:
        assert identity_search(**searched) == {customer.pk}
        search = AuditEntry.objects.get(action=AuditAction.IDENTITY_SEARCH)
        reveal = AuditEntry.objects.get(action=AuditAction.REVEAL)
        assert (search.actor_id, reveal.actor_id, reveal.subject_id) == (
            actor.pk,
            actor.pk,
            customer.pk,
        )
    else:
        with pytest.raises(IdentitySearchRefused):
            identity_search(**searched)
        assert _count(AuditAction.IDENTITY_SEARCH) == _count(AuditAction.REVEAL) == 0
        assert _count(AuditAction.IDENTITY_SEARCH_REFUSED) >= 1
