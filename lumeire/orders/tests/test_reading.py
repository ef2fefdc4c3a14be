"""Reading orders: a customer's own only, pages newest first, the timeline, the invoice."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from lumeire.accounts.tests.factories import make_customer
from lumeire.invoicing.zatca import TOTAL_WITH_VAT, VAT_TOTAL, tlv_decode
from lumeire.orders.errors import OrderNotFound
from lumeire.orders.models import Order, OrderStatus
from lumeire.orders.selectors import (
    ORDERS_PAGE_SIZE,
    order_get_for_customer,
    order_invoice_document,
    order_timeline,
    orders_of_customer,
)
from lumeire.orders.services import (
    NUMBER_ALPHABET,
    new_order_number,
    next_invoice_number,
    order_transition,
)
from lumeire.orders.tests.factories import make_order, make_staff, shelf_variant
from lumeire.staff.roles import Role

pytestmark = pytest.mark.django_db


def test_a_customer_finds_their_order_by_its_number_in_any_case():
    customer = make_customer()
    order = make_order(customer)

    found = order_get_for_customer(customer=customer, number=f"  {order.number.lower()} ")

    assert found == order


@pytest.mark.parametrize("number", ["", "LUM-0000-0000", "x" * 500, None])
def test_another_customers_order_and_a_missing_one_are_the_same_404(number):
    owner, stranger = make_customer(), make_customer()
    order = make_order(owner)

    with pytest.raises(OrderNotFound) as theirs:
        order_get_for_customer(customer=stranger, number=order.number)
    with pytest.raises(OrderNotFound) as missing:
        order_get_for_customer(customer=stranger, number=number)

    assert theirs.value.status_code == missing.value.status_code == 404
    assert (theirs.value.code, theirs.value.message) == (missing.value.code, missing.value.message)


def test_order_history_is_the_customers_own_newest_first_in_pages():
    customer, other = make_customer(), make_customer()
    variant = shelf_variant(stock=100)
    start = timezone.now() - timedelta(days=30)
    mine = []
    for n in range(ORDERS_PAGE_SIZE + 3):
        order = make_order(customer, [(variant, 1)])
        # Two orders share each moment, so the page boundary must break ties by id.
        Order.objects.filter(pk=order.pk).update(placed_at=start + timedelta(hours=n // 2))
        mine.append(Order.objects.get(pk=order.pk))
    make_order(other, [(variant, 1)])
    newest_first = sorted(mine, key=lambda o: (o.placed_at, o.pk), reverse=True)

    first = orders_of_customer(customer=customer)
    second = orders_of_customer(customer=customer, before=first[-1])

    assert first == newest_first[:ORDERS_PAGE_SIZE]
    assert second == newest_first[ORDERS_PAGE_SIZE:]
    assert orders_of_customer(customer=customer, before=second[-1]) == []


def test_the_timeline_lists_every_step_oldest_first_with_who_made_it():
    customer = make_customer()
    staff = make_staff(Role.FULFILMENT)
    order = make_order(customer)
    order_transition(actor=staff, order=order, to=OrderStatus.PACKED)
    order_transition(actor=staff, order=order, to=OrderStatus.SHIPPED, tracking_number="T1")
    order_transition(actor=None, order=order, to=OrderStatus.DELIVERED)

    steps = [(e.from_status, e.to_status, e.actor_kind, e.actor) for e in order_timeline(order)]

    assert steps == [
        ("", "pending_payment", "customer", customer),
        ("pending_payment", "packed", "staff", staff),
        ("packed", "shipped", "staff", staff),
        ("shipped", "delivered", "system", None),
    ]
    assert all(event.at is not None for event in order_timeline(order))


def test_the_invoice_repeats_the_orders_figures_in_either_language():
    customer = make_customer()
    variant = shelf_variant(price="33.33", stock=5, name_en="Amber soap", name_ar="صابون العنبر")
    order = make_order(customer, [(variant, 3)])

    english = order_invoice_document(order, "en")
    arabic = order_invoice_document(order, "ar")

    # 3 x 33.33 = 99.99; VAT 15.00 (14.9985 rounded half-up); delivery 21.74 + 3.26.
    for document in (english, arabic):
        assert (document.subtotal, document.shipping_net, document.vat_total, document.total) == (
            Decimal("99.99"),
            Decimal("21.74"),
            Decimal("18.26"),
            Decimal("139.99"),
        )
        assert (document.number, document.order_number) == (order.invoice_number, order.number)
        assert document.issued_at == order.placed_at
        qr = tlv_decode(document.qr_payload())
        assert (qr[TOTAL_WITH_VAT], qr[VAT_TOTAL]) == ("139.99", "18.26")
    assert english.lines[0].description == "Amber soap"
    assert arabic.lines[0].description == "صابون العنبر"
    assert (english.shipping_name, arabic.shipping_name) == ("Standard delivery", "توصيل عادي")
    assert (english.direction, arabic.direction) == ("ltr", "rtl")


def test_order_numbers_are_easy_to_read_aloud_and_never_repeat():
    numbers = {new_order_number() for _ in range(2000)}

    assert len(numbers) == 2000
    assert all(re.fullmatch(r"LUM-[0-9A-Z]{4}-[0-9A-Z]{4}", n) for n in numbers)
    used = set("".join(n[4:8] + n[9:] for n in numbers))
    assert used <= set(NUMBER_ALPHABET) and not used & set("ILOU")


def test_each_year_has_its_own_gap_free_invoice_series():
    assert [next_invoice_number(2031) for _ in range(3)] == [
        "INV-2031-000001",
        "INV-2031-000002",
        "INV-2031-000003",
    ]
    assert next_invoice_number(2032) == "INV-2032-000001"
    assert next_invoice_number(2031) == "INV-2031-000004"


def test_an_orders_invoice_keeps_the_vat_rate_it_was_charged_at(settings):
    order = make_order(make_customer(), [(shelf_variant(price="10.00"), 1)])
    settings.LUMEIRE_VAT_RATE = Decimal("0.20")  # the law changes after the order

    document = order_invoice_document(Order.objects.get(pk=order.pk), "en")

    assert document.vat_rate == Decimal("0.15")
    assert (document.vat_total, document.total) == (Decimal("4.76"), Decimal("36.50"))


@pytest.mark.parametrize(
    ("language", "country"),
    [("en", "Saudi Arabia"), ("ar", "المملكة العربية السعودية")],
)
def test_the_address_names_its_country_in_the_readers_language(language, country):
    order = Order.objects.get(pk=make_order(make_customer()).pk)

    with translation.override(language):
        lines = order.address_lines()
        name = order.country_name()

    assert name == country
    assert lines[3] == country
    assert "SA" not in lines
