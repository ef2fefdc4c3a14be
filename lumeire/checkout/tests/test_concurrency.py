"""Checkouts at the same moment, each thread on its own database connection.

On PostgreSQL the row locks decide: forty customers racing for the last five units make exactly
five orders, and nobody is turned away for any other reason. SQLite has one writer at a time, and
the test database (shared-cache memory) does not even wait for it: a checkout that finds a table
locked fails at once with "database table is locked". Each racer retries a few times, as a client
would, with the same idempotency key and a growing pause; one that still finds the database
locked gives up. Whatever happened, nothing may be half done: orders are exactly the units sold,
the stock is never negative, and the carts of those who gave up are as they were.
"""

from __future__ import annotations

import contextlib
import random
import threading
import time
from collections.abc import Callable

import pytest
from django.db import OperationalError, connection

from lumeire.accounts.tests.factories import make_customer
from lumeire.cart.models import CartLine
from lumeire.catalog.models import Variant
from lumeire.checkout.errors import CheckoutError, CheckoutErrorCode
from lumeire.checkout.models import IdempotencyKey, PaymentAttempt
from lumeire.checkout.services import Placement
from lumeire.checkout.tests.factories import card_token, fill_cart, place, shelf_variant
from lumeire.orders.models import InvoiceSequence, Order, OrderEvent, OrderLine
from lumeire.payments.models import TestGatewayCharge

POSTGRES = connection.vendor == "postgresql"
THREAD_TIMEOUT_SECONDS = 180
LOCK_RETRIES = 40


def is_lock_timeout(result: object) -> bool:
    return isinstance(result, OperationalError) and "locked" in str(result)


class Retries:
    """How often racers found SQLite's write lock taken (and retried)."""

    def __init__(self) -> None:
        self.count = 0
        self._lock = threading.Lock()

    def patiently(self, action: Callable[[], object]) -> Callable[[], object]:
        """``action``, retried after a "locked" failure; the last failure if it never got in."""

        def run() -> object:
            for attempt in range(LOCK_RETRIES):
                try:
                    return action()
                except OperationalError as error:
                    if not is_lock_timeout(error) or attempt == LOCK_RETRIES - 1:
                        raise
                    with self._lock:
                        self.count += 1
                    time.sleep(random.uniform(0, min(0.2, 0.002 * 2**attempt)))
            raise AssertionError("unreachable")

        return run


def race(actions: list[Callable[[], object]]) -> list[object]:
    """Start every action at once, one thread each; the result or the exception of each."""
    start = threading.Barrier(len(actions))
    results: list[object] = [None] * len(actions)

    def run(index: int) -> None:
        try:
            start.wait()
            results[index] = actions[index]()
        except Exception as error:
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(actions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(THREAD_TIMEOUT_SECONDS)
    assert not any(thread.is_alive() for thread in threads), "a checkout never finished"
    return results


class StockWatch:
    """Reads the stock over and over on its own connection while the race runs."""

    def __init__(self, variant: Variant) -> None:
        self.variant_id = variant.pk
        self.seen: list[int] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._watch)

    def _watch(self) -> None:
        try:
            while not self.stop.is_set():
                with contextlib.suppress(OperationalError):  # SQLite busy: read again
                    self.seen.append(Variant.objects.get(pk=self.variant_id).stock)
                time.sleep(0.005)
        finally:
            connection.close()

    def __enter__(self) -> StockWatch:
        self.thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop.set()
        self.thread.join(10)


@pytest.mark.django_db(transaction=True)
def test_forty_customers_racing_for_the_last_five_units_make_exactly_five_orders():
    variant = shelf_variant(stock=5, name_en="Last lantern")
    customers = [make_customer() for _ in range(40)]
    for customer in customers:
        fill_cart(customer, [(variant, 1)])
    retries = Retries()
    racers = [
        retries.patiently(lambda c=c, key=f"race-key-{n}": place(c, key=key))
        for n, c in enumerate(customers)
    ]

    with StockWatch(variant) as watch:
        results = race(racers)

    placed = [r for r in results if isinstance(r, Placement)]
    sold_out = [r for r in results if isinstance(r, CheckoutError)]
    gave_up = [r for r in results if is_lock_timeout(r)]
    assert len(placed) + len(sold_out) + len(gave_up) == 40, [
        r for r in results if not isinstance(r, Placement | CheckoutError) and r not in gave_up
    ]
    if POSTGRES or not gave_up:
        assert (len(placed), len(sold_out), len(gave_up)) == (5, 35, 0)
    if POSTGRES:
        assert retries.count == 0, "PostgreSQL waits for row locks; nothing should time out"
    sold = len(placed)
    assert Variant.objects.get(pk=variant.pk).stock == 5 - sold >= 0
    assert watch.seen and all(0 <= stock <= 5 for stock in watch.seen)
    assert {(e.code, e.message) for e in sold_out} <= {
        (CheckoutErrorCode.SOLD_OUT, "Sorry, Last lantern is sold out.")
    }
    assert not any(p.replayed for p in placed)
    # Orders are the units sold, each complete; the winners' carts emptied, the others' kept.
    assert Order.objects.count() == OrderLine.objects.count() == sold
    assert OrderEvent.objects.count() == IdempotencyKey.objects.count() == sold
    winners = {p.order.customer_id for p in placed}
    assert set(Order.objects.values_list("customer_id", flat=True)) == winners
    for customer in customers:
        kept = list(CartLine.objects.filter(cart__user=customer).values_list("quantity", flat=True))
        assert kept == ([] if customer.pk in winners else [1])
    # Gap-free invoice numbers even under contention (and after every rolled-back attempt).
    numbers = sorted(Order.objects.values_list("invoice_number", flat=True))
    assert [int(n.rsplit("-", 1)[1]) for n in numbers] == list(range(1, sold + 1))
    assert sum(InvoiceSequence.objects.values_list("last", flat=True)) == sold


@pytest.mark.django_db(transaction=True)
def test_one_key_sent_twice_at_once_places_one_order_and_charges_once():
    customer = make_customer()
    variant = shelf_variant(stock=10)
    fill_cart(customer, [(variant, 2)])
    token = card_token()
    retries = Retries()
    twice = retries.patiently(lambda: place(customer, pay="card", token=token, key="double-1"))

    results = race([twice, twice])

    placed = [r for r in results if isinstance(r, Placement)]
    assert all(isinstance(r, Placement) or is_lock_timeout(r) for r in results), results
    if POSTGRES or len(placed) == 2:
        assert sorted(r.replayed for r in placed) == [False, True]
    assert len(placed) >= 1 and len({p.order.pk for p in placed}) == 1
    assert Order.objects.count() == 1
    assert TestGatewayCharge.objects.count() == 1
    assert PaymentAttempt.objects.filter(approved=True).count() == 1
    assert PaymentAttempt.objects.count() == 1
    assert Variant.objects.get(pk=variant.pk).stock == 8
    assert IdempotencyKey.objects.get().order == Order.objects.get()
    if POSTGRES:
        assert retries.count == 0


@pytest.mark.django_db(transaction=True)
def test_two_customers_buying_two_products_in_opposite_order_both_succeed():
    # Carts list the same two variants added in opposite orders; locks are taken by variant id,
    # so no checkout waits for another that waits for it.
    first, second = shelf_variant(stock=20), shelf_variant(stock=20)
    buyers = []
    for lines in ([(first, 1), (second, 2)], [(second, 2), (first, 1)]) * 3:
        customer = make_customer()
        fill_cart(customer, lines)
        buyers.append(customer)
    retries = Retries()

    results = race([retries.patiently(lambda c=c: place(c, key=f"k-{c.pk}")) for c in buyers])

    placed = [r for r in results if isinstance(r, Placement)]
    assert all(isinstance(r, Placement) or is_lock_timeout(r) for r in results), results
    if POSTGRES:
        assert len(placed) == 6 and retries.count == 0
    sold = len(placed)
    stocks = [Variant.objects.get(pk=v.pk).stock for v in (first, second)]
    assert stocks == [20 - sold, 20 - 2 * sold]
    assert Order.objects.count() == sold and OrderLine.objects.count() == 2 * sold
