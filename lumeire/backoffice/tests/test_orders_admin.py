"""Staff at work on orders: moves made through order_transition, refusals that change nothing,
and personal values shown only to the roles that need them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.messages import get_messages
from django.test import Client
from django.utils import timezone

from lumeire.accounts.tests.factories import make_customer
from lumeire.backoffice.tests.factories import BACKEND, make_staff, signed_in
from lumeire.catalog.models import Variant
from lumeire.checkout.tests.order_factories import (
    SHIPPING_NAME,
    STREET,
    place_order,
)
from lumeire.core.tests.markup import parse
from lumeire.orders.models import (
    ActorKind,
    Order,
    OrderEvent,
    OrderStatus,
    PaymentStatus,
)
from lumeire.orders.services import order_transition
from lumeire.payments.models import ChargeStatus, TestGatewayCharge

pytestmark = pytest.mark.django_db

ORDERS = "/backoffice/orders/order/"
LOGIN = "/backoffice/login/"
CLEAR_PHONE = "+966501234567"
MASKED_NAME = "A*** A***"
MASKED_PHONE = "+966 5** *** *67"


def _text(element) -> str:
    return (element.text + "".join(_text(child) for child in element.children)).strip()


def _detail(order: Order) -> str:
    return f"{ORDERS}{order.pk}/change/"


def _move_url(order: Order) -> str:
    return f"{ORDERS}{order.pk}/move/"


def _move(client: Client, order: Order, to: str, **data: str) -> tuple[int, list[str]]:
    """Press a move button and follow it back to the order page.

    Returns the button's own response code and the messages the order page then shows.
    """
    response = client.post(_move_url(order), {"to": to, **data}, follow=True)
    if not response.redirect_chain:
        return response.status_code, []
    assert response.redirect_chain == [(_detail(order), 302)]
    return 302, [str(message) for message in get_messages(response.wsgi_request)]


def _fresh(order: Order) -> Order:
    return Order.objects.get(pk=order.pk)


def _events(order: Order) -> list[tuple[str, str, str]]:
    return list(
        OrderEvent.objects.filter(order=order)
        .order_by("at", "id")
        .values_list("from_status", "to_status", "actor_kind")
    )


def _packed(order: Order, owner) -> Order:
    return order_transition(actor=owner, order=order, to=OrderStatus.PACKED)


# --- shipping ---------------------------------------------------------------------------------


def test_fulfilment_member_ships_a_packed_order_with_its_tracking_number(fulfilment, owner):
    order = _packed(place_order(), owner)
    code, notes = _move(
        signed_in(fulfilment), order, "shipped", tracking_number="  SMSA-778812345  "
    )
    assert code == 302
    assert notes == [f"Order {order.number} is now shipped."]
    shipped = _fresh(order)
    assert shipped.status == OrderStatus.SHIPPED
    assert shipped.tracking_number == "SMSA-778812345"
    last = OrderEvent.objects.filter(order=order).latest("at", "id")
    assert (last.from_status, last.to_status) == (OrderStatus.PACKED, OrderStatus.SHIPPED)
    assert last.actor_kind == ActorKind.STAFF
    assert last.actor_id == fulfilment.pk
    assert LogEntry.objects.count() == 0


def test_shipping_without_a_tracking_number_is_refused_and_changes_nothing(fulfilment, owner):
    order = _packed(place_order(), owner)
    before = _events(order)
    for data in ({}, {"tracking_number": "   "}, {"tracking_number": "X" * 65}):
        code, notes = _move(signed_in(fulfilment), order, "shipped", **data)
        assert code == 302
        assert notes == ["Enter the carrier's tracking number (up to 64 characters)."]
        unchanged = _fresh(order)
        assert unchanged.status == OrderStatus.PACKED
        assert unchanged.tracking_number == ""
        assert _events(order) == before


def test_fulfilment_packs_a_cash_order_and_marks_it_delivered(fulfilment):
    order = place_order()
    client = signed_in(fulfilment)
    assert _move(client, order, "packed")[1] == [f"Order {order.number} is now packed."]
    assert _move(client, order, "shipped", tracking_number="TRK-1")[0] == 302
    assert _move(client, order, "delivered")[1] == [f"Order {order.number} is now delivered."]
    delivered = _fresh(order)
    assert delivered.status == OrderStatus.DELIVERED
    assert delivered.payment_status == PaymentStatus.COLLECTED
    assert [event[1] for event in _events(order)] == [
        OrderStatus.PENDING_PAYMENT,
        OrderStatus.PACKED,
        OrderStatus.SHIPPED,
        OrderStatus.DELIVERED,
    ]


# --- moves refused ----------------------------------------------------------------------------


def test_a_move_the_transition_table_forbids_is_refused_with_a_message(fulfilment):
    order = place_order(payment="card")
    before = _events(order)
    code, notes = _move(signed_in(fulfilment), order, "delivered")
    assert code == 302
    assert notes == ["An order that is paid cannot become delivered."]
    assert _fresh(order).status == OrderStatus.PAID
    assert _events(order) == before


def test_a_finished_order_refuses_every_move(owner):
    order = place_order()
    order_transition(actor=owner, order=order, to=OrderStatus.CANCELLED)
    before = _events(order)
    client = signed_in(owner)
    for status in ("paid", "packed", "shipped", "delivered", "cancelled", "refunded"):
        code, notes = _move(client, order, status, tracking_number="TRK-1")
        assert code == 302
        assert notes == [
            f"An order that is cancelled cannot become {OrderStatus(status).label.lower()}."
        ]
    assert _fresh(order).status == OrderStatus.CANCELLED
    assert _events(order) == before
    page = client.get(_detail(order))
    assert b"No change of this order is open to your role now." in page.content
    assert b"/move/" not in page.content


def test_fulfilment_cannot_cancel_or_refund(fulfilment):
    order = place_order(payment="card")
    client = signed_in(fulfilment)
    for status in ("cancelled", "refunded", "paid"):
        code, notes = _move(client, order, status)
        assert code == 302
        assert notes == [f"Your role cannot move an order to {status}."]
    paid = _fresh(order)
    assert (paid.status, paid.payment_status) == (OrderStatus.PAID, PaymentStatus.CAPTURED)
    assert TestGatewayCharge.objects.get(merchant_reference=order.number).status == (
        ChargeStatus.CAPTURED
    )


def test_customer_service_cannot_pack_or_ship(customer_service):
    order = place_order()
    client = signed_in(customer_service)
    for status in ("packed", "shipped", "delivered"):
        assert _move(client, order, status, tracking_number="TRK-1")[1] == [
            f"Your role cannot move an order to {status}."
        ]
    assert _fresh(order).status == OrderStatus.PENDING_PAYMENT


def test_an_unknown_move_is_refused_and_changes_nothing(owner):
    order = place_order()
    before = _events(order)
    client = signed_in(owner)
    for to in ("teleported", ""):
        assert _move(client, order, to) == (302, ["Choose one of the buttons on the page."])
    assert _fresh(order).status == OrderStatus.PENDING_PAYMENT
    assert _events(order) == before


def test_the_move_address_takes_only_posts(owner):
    order = place_order()
    assert signed_in(owner).get(_move_url(order)).status_code == 405
    assert _fresh(order).status == OrderStatus.PENDING_PAYMENT


# --- cancel and refund ------------------------------------------------------------------------


def test_customer_service_refunds_a_card_order_through_the_test_gateway(customer_service):
    order = place_order(payment="card", quantity=2, stock=5)
    variant = Variant.objects.get(sku=order.lines.get().sku)
    assert variant.stock == 3
    code, notes = _move(signed_in(customer_service), order, "refunded")
    assert code == 302
    assert notes == [f"Order {order.number} is now refunded."]
    refunded = _fresh(order)
    assert refunded.status == OrderStatus.REFUNDED
    assert refunded.payment_status == PaymentStatus.REFUNDED
    charge = TestGatewayCharge.objects.get(reference=order.payment_reference)
    assert charge.status == ChargeStatus.REFUNDED
    assert charge.refunded_amount == order.total
    variant.refresh_from_db()
    assert variant.stock == 5  # not yet packed: the goods go back on the shelf
    last = OrderEvent.objects.filter(order=order).latest("at", "id")
    assert (last.to_status, last.actor_id) == (OrderStatus.REFUNDED, customer_service.pk)


def test_refund_is_refused_for_a_cash_order(customer_service, owner):
    order = place_order()
    for status in ("packed", "shipped", "delivered"):
        order = order_transition(actor=owner, order=order, to=status, tracking_number="TRK-1")
    before = _events(order)
    client = signed_in(customer_service)
    assert b"Refund to the card" not in client.get(_detail(order)).content
    code, notes = _move(client, order, "refunded")
    assert code == 302
    assert notes == ["An order that is delivered cannot become refunded."]
    delivered = _fresh(order)
    assert (delivered.status, delivered.payment_status) == (
        OrderStatus.DELIVERED,
        PaymentStatus.COLLECTED,
    )
    assert _events(order) == before


def test_the_groups_django_permissions_decide_no_move(customer_service, fulfilment):
    """Moves are the roles' (the staff access model): a permission put on or taken off a group
    by hand neither opens nor closes one."""
    Group.objects.get(name="Fulfilment").permissions.add(
        Permission.objects.get(codename="refund_order"),
        Permission.objects.get(codename="change_order"),
    )
    order = place_order(payment="card")
    packer = signed_in(fulfilment)
    assert b"Refund to the card" not in packer.get(_detail(order)).content
    assert _move(packer, order, "refunded") == (
        302,
        ["Your role cannot move an order to refunded."],
    )
    assert _fresh(order).payment_status == PaymentStatus.CAPTURED
    agent = signed_in(customer_service)
    assert b"Refund to the card" in agent.get(_detail(order)).content
    assert _move(agent, order, "refunded") == (302, [f"Order {order.number} is now refunded."])


def test_customer_service_cancels_a_cash_order_and_the_stock_returns(customer_service):
    order = place_order(quantity=2, stock=4)
    variant = Variant.objects.get(sku=order.lines.get().sku)
    assert _move(signed_in(customer_service), order, "cancelled") == (
        302,
        [f"Order {order.number} is now cancelled."],
    )
    cancelled = _fresh(order)
    assert (cancelled.status, cancelled.payment_status) == (
        OrderStatus.CANCELLED,
        PaymentStatus.VOIDED,
    )
    variant.refresh_from_db()
    assert variant.stock == 4


# --- who sees what ----------------------------------------------------------------------------


def test_each_role_is_offered_only_its_own_moves(fulfilment, customer_service, owner):
    order = place_order(payment="card")
    offered = {
        fulfilment: {"Mark as packed"},
        customer_service: {"Cancel the order", "Refund to the card"},
        owner: {"Mark as packed", "Cancel the order", "Refund to the card"},
    }
    every = {"Mark as paid", "Mark as packed", "Mark as shipped", "Mark as delivered"}
    every |= {"Cancel the order", "Refund to the card"}
    for staff, labels in offered.items():
        content = signed_in(staff).get(_detail(order)).content.decode()
        assert {label for label in every if label in content} == labels


def test_the_ship_button_asks_for_a_tracking_number(fulfilment, owner):
    order = _packed(place_order(), owner)
    content = signed_in(fulfilment).get(_detail(order)).content.decode()
    assert 'name="tracking_number"' in content
    assert 'value="shipped"' in content
    assert f'action="{_move_url(order)}"' in content


def test_fulfilment_sees_the_address_of_an_order_ready_to_pack_in_clear(fulfilment):
    order = place_order()
    content = signed_in(fulfilment).get(_detail(order)).content.decode()
    assert SHIPPING_NAME in content
    assert CLEAR_PHONE in content
    assert STREET in content
    assert "12211" in content
    assert MASKED_NAME not in content


def test_the_order_address_names_the_country_in_the_page_language(fulfilment):
    order = place_order()
    client = signed_in(fulfilment)

    english = client.get(_detail(order)).content.decode()
    arabic = client.get(_detail(order), HTTP_ACCEPT_LANGUAGE="ar").content.decode()

    assert "Saudi Arabia" in english
    assert f'<dd class="order-number" dir="ltr">{order.number}</dd>' in english  # nowrap
    assert "المملكة العربية السعودية" in arabic
    assert ">SA<" not in english and ">SA " not in english


def test_owner_and_customer_service_see_the_address_masked_until_they_reveal(
    customer_service, owner
):
    order = place_order()
    for staff in (customer_service, owner):
        content = signed_in(staff).get(_detail(order)).content.decode()
        assert MASKED_NAME in content
        assert MASKED_PHONE in content
        for clear in (SHIPPING_NAME, CLEAR_PHONE, STREET, "12211"):
            assert clear not in content
        assert f"{ORDERS}{order.pk}/reveal/?field=full_name" in content


def test_other_staff_who_may_view_orders_see_the_address_masked(db):
    compliance = make_staff(groups=["Compliance officer"])
    order = place_order(payment="card")
    response = signed_in(compliance).get(_detail(order))
    assert response.status_code == 200
    content = response.content.decode()
    assert MASKED_NAME in content
    assert MASKED_PHONE in content
    assert "K*** F*** R***" in content
    for clear in (SHIPPING_NAME, "Aisha", CLEAR_PHONE, "501234567", STREET, "12211", "Jeddah"):
        assert clear not in content
    assert "4242" not in content
    assert "Card ending in ****" in content
    assert "/reveal/" not in content
    assert "No change of this order is open to your role now." in content
    assert _move(signed_in(compliance), order, "packed")[1] == [
        "Your role cannot move an order to packed."
    ]


def test_a_group_with_the_django_permission_but_no_role_sees_no_orders(db):
    viewers = Group.objects.create(name="Viewers")
    viewers.permissions.add(Permission.objects.get(codename="view_order"))
    order = place_order()
    response = signed_in(make_staff(groups=["Viewers"])).get(_detail(order))
    assert response.status_code == 403


def test_card_details_follow_the_data_inventory(fulfilment, customer_service):
    order = place_order(payment="card")
    shown_to_service = signed_in(customer_service).get(_detail(order)).content.decode()
    assert "Card ending in ****" in shown_to_service and "4242" not in shown_to_service
    assert f"{ORDERS}{order.pk}/reveal/?field=card" in shown_to_service
    shown_to_fulfilment = signed_in(fulfilment).get(_detail(order)).content.decode()
    assert "4242" not in shown_to_fulfilment
    assert "Card ending in ****" in shown_to_fulfilment
    assert "reveal/?field=card" not in shown_to_fulfilment


def test_the_detail_page_shows_lines_totals_and_the_timeline(fulfilment, owner):
    order = _packed(place_order(price="100.00", quantity=2), owner)
    content = signed_in(fulfilment).get(_detail(order)).content.decode()
    assert "Amber Oud Candle" in content
    assert order.lines.get().sku in content
    # Amounts in the store's one money format (a no-break space before the currency).
    assert "200.00\u00a0SAR" in content  # two at 100.00 before VAT
    assert "30.00\u00a0SAR" in content  # their VAT; 230.00 with VAT is below free delivery
    assert f"{order.total:,.2f}\u00a0SAR" in content
    assert "Standard delivery" in content
    assert "The customer" in content
    assert f"Staff: {owner.get_username()}" in content
    assert "Pending payment" in content and "Packed" in content
    assert order.customer.email not in content


def test_the_order_list_never_shows_the_customers_name_or_address(owner):
    customer = make_customer(full_name="Haya Al-Qahtani")
    order = place_order(customer=customer, payment="card")
    response = signed_in(owner).get(ORDERS)
    assert response.status_code == 200
    content = response.content.decode()
    assert order.number in content
    assert f"{order.total:,.2f}\u00a0SAR" in content
    assert "Card" in content and "Paid" in content
    for personal in ("Haya", "Al-Qahtani", SHIPPING_NAME, "Aisha", STREET, "Jeddah", CLEAR_PHONE):
        assert personal not in content
    assert customer.email not in content


def test_search_finds_only_an_exact_order_number(owner):
    order = place_order()
    other = place_order()
    client = signed_in(owner)
    found = client.get(ORDERS, {"q": order.number.lower()}).content.decode()
    assert order.number in found and other.number not in found
    for term in (SHIPPING_NAME, "Aisha", order.number[:8], CLEAR_PHONE):
        listed = client.get(ORDERS, {"q": term}).content.decode()
        assert order.number not in listed and other.number not in listed


def _midnight():
    """Today's start in the store's time zone, as the list's date filter writes it."""
    return timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)


def test_the_list_filters_by_status_and_by_placed_date(owner):
    old = place_order()
    Order.objects.filter(pk=old.pk).update(placed_at=timezone.now() - timedelta(days=400))
    packed = _packed(place_order(), owner)
    client = signed_in(owner)
    by_status = client.get(ORDERS, {"status__exact": "packed"}).content.decode()
    assert packed.number in by_status and old.number not in by_status
    this_year = timezone.localdate().year
    by_year = client.get(ORDERS, {"placed_at__year": str(this_year)}).content.decode()
    assert packed.number in by_year and old.number not in by_year
    last_week = client.get(
        ORDERS,
        {"placed_at__gte": str(_midnight() - timedelta(days=7))},
    ).content.decode()
    assert packed.number in last_week and old.number not in last_week


# --- who gets in ------------------------------------------------------------------------------


def test_catalogue_manager_cannot_see_orders_at_all(catalogue_manager):
    order = place_order()
    client = signed_in(catalogue_manager)
    for url in (ORDERS, _detail(order), f"{ORDERS}{order.pk}/history/"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert order.number.encode() not in response.content
    assert b"/backoffice/orders/" not in client.get("/backoffice/").content
    response = client.post(_move_url(order), {"to": "cancelled"})
    assert response.status_code == 403
    assert _fresh(order).status == OrderStatus.PENDING_PAYMENT


def test_the_index_lists_what_each_role_works_on(fulfilment, customer_service, owner):
    orders, methods = b"/backoffice/orders/order/", b"/backoffice/checkout/shippingmethod/"
    products = b"/backoffice/catalog/product/"
    for staff in (fulfilment, customer_service):
        index = signed_in(staff).get("/backoffice/").content
        assert orders in index
        assert methods not in index and products not in index
    index = signed_in(owner).get("/backoffice/").content
    assert orders in index and methods in index and products in index


def test_a_customer_account_never_reaches_the_back_office(db):
    customer = make_customer()
    order = place_order(customer=customer)
    client = Client()
    client.force_login(customer, backend=BACKEND)
    for url in ("/backoffice/", ORDERS, _detail(order), "/backoffice/checkout/shippingmethod/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(LOGIN)
        assert order.number.encode() not in response.content
    response = client.post(_move_url(order), {"to": "cancelled"})
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert _fresh(order).status == OrderStatus.PENDING_PAYMENT


def test_anonymous_visitors_are_sent_to_sign_in(db):
    order = place_order()
    response = Client().post(_move_url(order), {"to": "cancelled"})
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert _fresh(order).status == OrderStatus.PENDING_PAYMENT


def test_no_one_adds_edits_or_deletes_an_order_in_the_back_office(owner):
    order = place_order()
    client = signed_in(owner)
    assert client.get(f"{ORDERS}add/").status_code == 403
    assert client.get(f"{ORDERS}{order.pk}/delete/").status_code == 403
    assert client.post(f"{ORDERS}{order.pk}/delete/", {"post": "yes"}).status_code == 403
    response = client.post(_detail(order), {"number": "LUM-HACK-0000", "status": "delivered"})
    assert response.status_code == 403
    unchanged = _fresh(order)
    assert (unchanged.number, unchanged.status) == (order.number, OrderStatus.PENDING_PAYMENT)
    assert Order.objects.count() == 1
    assert LogEntry.objects.count() == 0
    page = client.get(_detail(order)).content.decode()
    assert 'name="_save"' not in page


def test_the_order_page_reads_in_arabic(owner):
    order = place_order()
    client = signed_in(owner)
    response = client.get(_detail(order), HTTP_ACCEPT_LANGUAGE="ar")
    content = response.content.decode()
    assert 'dir="rtl"' in content
    assert "إلغاء الطلب" in content
    assert "الخط الزمني" in content


def test_each_line_shows_its_shelf_price_its_net_and_its_vat_adding_up(fulfilment, owner):
    # Shelf prices include VAT: the unit price shown is the one charged, × quantity = the line
    # with VAT, which the line's net and VAT split (docs/decisions/0020).
    order = _packed(place_order(price="100.00", quantity=3), owner)
    line = order.lines.get()
    page = parse(signed_in(fulfilment).get(_detail(order)).content.decode())
    tables = page.find_all("table")
    table = next(t for t in tables if "backoffice-table" in t.attrs.get("class", ""))
    headers = [_text(th) for th in table.find_all("th")]
    assert headers[3:7] == ["Unit price with VAT", "Before VAT", "VAT", "With VAT"]
    cells = [_text(td) for td in table.find_all("tbody")[0].find_all("td")]
    unit, net, vat, gross = cells[3:7]
    money = lambda amount: f"{amount:,.2f}\u00a0SAR"  # noqa: E731
    assert unit == money(line.unit_gross) == "115.00\u00a0SAR"
    assert (net, vat, gross) == (money(line.net), money(line.vat), money(line.gross))
    assert line.unit_gross * 3 == line.gross == line.net + line.vat


def test_an_arabic_order_page_writes_the_riyal_sign(owner):
    order = place_order(price="100.00", quantity=1)
    content = signed_in(owner).get(_detail(order), HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert 'lang="ar"' in content
    assert f"{order.total:,.2f}\u00a0ر.س" in content and "\u00a0SAR" not in content
