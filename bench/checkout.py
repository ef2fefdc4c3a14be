"""Checkout under load: orders placed per second by 16 customers at once, and what it costs each.

Sixteen customers, each in its own thread with its own database connection, fill a two-line
cart (two of twenty shared products, one to three of each, so carts collide on the same rows)
and place it through ``order_place``, alternately paying cash on delivery and by card through
the built-in test gateway, again and again for ``LUMEIRE_BENCH_SECONDS`` (default 15) after
one warm-up order each. The threads are spread over ``LUMEIRE_BENCH_PROCESSES`` processes
(default 4, four customers each), as gunicorn spreads requests over workers: one process would
measure the interpreter's lock rather than the checkout (a placing costs about 25 ms of Python).
The latency is the ``order_place`` call alone; the orders per second are over the wall time,
which also holds each thread refilling its cart and tokenising its card between orders. At the
end every variant's stock must have fallen by exactly the quantities the customers were told
they bought, and the order lines in the database must say the same.

The target is PostgreSQL: with DATABASE_URL naming a PostgreSQL server, the benchmark creates a
database ``lumeire_bench_checkout`` on it, migrates it, runs, and drops it again; the store's
own database is never touched. Without one it runs on a temporary SQLite file, whose single
writer makes the figures no measure of the target's.

The measuring runs in a child process (``python -m bench.checkout --measure``) so that Django
is set up on the throw-away database whatever other benchmarks did in this process.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from bench.environment import throwaway_database

ROOT = Path(__file__).resolve().parent.parent
BENCH_DATABASE = "lumeire_bench_checkout"
CUSTOMERS = 16
PRODUCTS = 20
START_STOCK = 1_000_000
SECONDS = float(os.environ.get("LUMEIRE_BENCH_SECONDS", "15"))
PROCESSES = max(1, min(CUSTOMERS, int(os.environ.get("LUMEIRE_BENCH_PROCESSES", "4"))))
SEED = 20261126
RESULT_PREFIX = "BENCH_CHECKOUT "
ADDRESS = {
    "full_name": "Bench Shopper",
    "phone": "0551234567",
    "city": "Riyadh",
    "district": "Al Malqa",
    "street": "Anas Ibn Malik Road",
    "building": "12",
    "postal_code": "13521",
    "country": "SA",
}


# --- The parent: a throw-away database, the child process, the report -------------------------


def _child_env(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "LUMEIRE_ENV_FILE": os.environ.get("LUMEIRE_ENV_FILE", str(ROOT / "var" / "secrets.env")),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "WARNING"),
        "DEBUG": "false",
    }


def _child(env: dict[str, str], *arguments: str) -> str:
    """Run a child process quietly; its output is shown only if it fails."""
    finished = subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [sys.executable, *arguments],
        cwd=ROOT,
        env=env,
        check=False,
        capture_output=True,
        text=True,
    )
    if finished.returncode != 0:
        raise RuntimeError(
            f"{' '.join(arguments)} failed:\n{finished.stdout[-2000:]}\n{finished.stderr[-3000:]}"
        )
    return finished.stdout


SQLITE_LABEL = "temporary SQLite file: one writer at a time, NOT the target's PostgreSQL"


def _database():
    return throwaway_database(BENCH_DATABASE, SQLITE_LABEL)


def run() -> list[str]:
    with _database() as (url, about, on_target):
        env = _child_env(url)
        started = time.monotonic()
        _child(env, "manage.py", "migrate", "--noinput")
        _child(env, "manage.py", "createcachetable")
        prepared = time.monotonic() - started
        output = _child(env, "-m", "bench.checkout", "--measure")
    line = next((ln for ln in output.splitlines() if ln.startswith(RESULT_PREFIX)), None)
    if line is None:
        raise RuntimeError(f"The measuring process printed no result:\n{output[-2000:]}")
    figures = json.loads(line.removeprefix(RESULT_PREFIX))
    lines = _report(figures, about, prepared)
    if figures["errors"] or not figures["stock_exact"]:
        print("\n".join(f"  {text}" for text in lines))
        raise RuntimeError("The checkout benchmark saw errors or stock that does not add up.")
    if not on_target:
        lines.append("these figures are SQLite's, not the target's: set DATABASE_URL to PostgreSQL")
    return lines


def _report(figures: dict, about: str, prepared: float) -> list[str]:
    latency = figures["latency_ms"]
    by_method = figures["latency_by_method_ms"]
    errors = figures["errors"]
    return [
        f"database: {about}; migrated in {prepared:.0f} s",
        f"{figures['customers']} customers in {figures['customers']} threads over "
        f"{figures['processes']} processes (one connection each), two-line carts over "
        f"{figures['products']} shared products, cash and card "
        f"(test gateway) in turn, {figures['seconds']:.1f} s after one warm-up order each, "
        f"on {os.cpu_count()} cores shared with the database",
        f"orders placed: {figures['orders']} = {figures['per_second']:.1f} orders/s "
        "(wall time, which includes refilling each cart and tokenising each card)",
        f"order_place latency: p50 {latency['p50']:.1f} ms, p95 {latency['p95']:.1f} ms, "
        f"p99 {latency['p99']:.1f} ms, max {latency['max']:.1f} ms",
        f"  cash p95 {by_method['cod']['p95']:.1f} ms ({by_method['cod']['count']} orders), "
        f"card p95 {by_method['card']['p95']:.1f} ms ({by_method['card']['count']} orders)",
        f"errors: {sum(errors.values())}" + (f" {errors}" if errors else " (target: zero, met)"),
        (
            f"stock: fell by exactly the {figures['units']} units ordered over "
            f"{figures['variants_sold']} variants; the order lines agree"
            if figures["stock_exact"]
            else f"stock: DOES NOT ADD UP: {figures['stock_mismatches']}"
        ),
    ]


# --- The child: customers, products, threads, checks ---------------------------------------------


def _percentiles(values: list[float]) -> dict[str, float]:
    if len(values) < 2:
        only = values[0] if values else 0.0
        return {"p50": only, "p95": only, "p99": only, "max": only, "count": len(values)}
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return {
        "p50": cuts[49],
        "p95": cuts[94],
        "p99": cuts[98],
        "max": max(values),
        "count": len(values),
    }


class _Shopper(threading.Thread):
    """One customer placing order after order on the thread's own database connection."""

    def __init__(self, number: int, customer, variants, start, deadline) -> None:
        super().__init__(name=f"shopper-{number}")
        self.customer = customer
        self.variants = variants
        self.start_line = start  # a barrier shared by every shopper of every process
        self.deadline = deadline  # a shared double: when to stop, on the perf_counter clock
        self.random = random.Random(SEED + number)  # noqa: S311 - a workload, not a secret
        self.placed: list[tuple[str, float, list[tuple[int, int]]]] = []
        self.errors: Counter[str] = Counter()
        self.sequence = 0

    def _one_order(self, *, counted: bool) -> None:
        from lumeire.cart.models import CartLine
        from lumeire.cart.services import cart_add, customer_cart
        from lumeire.checkout.addresses import parse_address
        from lumeire.checkout.services import order_place, parse_payment
        from lumeire.payments.services import card_tokenise

        self.sequence += 1
        method = "card" if self.sequence % 2 else "cod"
        cart = customer_cart(self.customer)
        wanted = [
            (variant, self.random.randint(1, 3)) for variant in self.random.sample(self.variants, 2)
        ]
        try:
            for variant, quantity in wanted:
                cart_add(cart=cart, sku=variant.sku, quantity=quantity)
            token = ""
            if method == "card":
                token = card_tokenise(
                    number="4242424242424242", exp_month=12, exp_year=2030, cvc="321"
                ).token
            started = time.perf_counter()
            order_place(
                customer=self.customer,
                cart=cart,
                address=parse_address(ADDRESS),
                shipping_method="standard" if self.sequence % 3 else "express",
                payment=parse_payment(method, token),
                idempotency_key=f"bench-{self.customer.pk}-{self.sequence}",
            )
            elapsed_ms = (time.perf_counter() - started) * 1000
        except Exception as error:
            self.errors[type(error).__name__] += 1
            CartLine.objects.filter(cart=cart).delete()
            return
        if counted:
            self.placed.append((method, elapsed_ms, [(v.pk, q) for v, q in wanted]))
        else:  # warm-up orders still took stock: count them for the stock check
            self.placed.append(("warm-up", 0.0, [(v.pk, q) for v, q in wanted]))

    def run(self) -> None:
        from django.db import connection

        try:
            self._one_order(counted=False)
            self.start_line.wait()
            while time.perf_counter() < self.deadline.value:
                self._one_order(counted=True)
        finally:
            connection.close()


def _worker(group, variants, start, deadline, results) -> None:
    """One process: a thread per customer of ``group``; each shopper's outcome to ``results``."""
    shoppers = [_Shopper(number, customer, variants, start, deadline) for number, customer in group]
    for shopper in shoppers:
        shopper.start()
    for shopper in shoppers:
        shopper.join()
        results.put({"placed": shopper.placed, "errors": dict(shopper.errors)})


def _measure() -> dict:
    import django

    django.setup()
    from django.db import connections
    from django.db.models import Sum

    from lumeire.accounts.tests.factories import make_customer
    from lumeire.catalog.models import Variant
    from lumeire.catalog.tests.factories import make_category, make_product
    from lumeire.orders.models import Order, OrderLine

    customers = [make_customer() for _ in range(CUSTOMERS)]
    category = make_category("bench-checkout")
    for number in range(PRODUCTS):
        make_product(
            category=category,
            slug=f"bench-checkout-{number}",
            variants=[
                {
                    "sku": f"BENCH-CHK-{number}",
                    "price": f"{19 + number * 7}.50",
                    "stock": START_STOCK,
                }
            ],
        )
    variants = list(Variant.objects.filter(sku__startswith="BENCH-CHK-").select_related("product"))
    before = dict(Variant.objects.values_list("pk", "stock"))
    connections.close_all()  # each process, and each thread in it, opens its own

    # fork: the workers inherit Django set up, the customers and the variants.
    context = multiprocessing.get_context("fork")
    start = context.Barrier(CUSTOMERS + 1)
    deadline = context.Value("d", float("inf"))
    results = context.Queue()
    groups = [list(enumerate(customers))[n::PROCESSES] for n in range(PROCESSES)]
    workers = [
        context.Process(target=_worker, args=(group, variants, start, deadline, results))
        for group in groups
    ]
    for worker in workers:
        worker.start()
    start.wait()  # every shopper has placed its warm-up order
    began = time.perf_counter()  # CLOCK_MONOTONIC: the same clock in every process
    deadline.value = began + SECONDS
    shoppers = [results.get(timeout=SECONDS + 600) for _ in range(CUSTOMERS)]
    seconds = time.perf_counter() - began
    for worker in workers:
        worker.join(timeout=60)
    if any(worker.exitcode != 0 for worker in workers):
        raise RuntimeError("A shopper process failed.")

    told = Counter()
    for shopper in shoppers:
        for _method, _ms, lines in shopper["placed"]:
            for variant_id, quantity in lines:
                told[variant_id] += quantity
    after = dict(Variant.objects.values_list("pk", "stock"))
    in_lines = dict(
        OrderLine.objects.values("variant_id")
        .annotate(units=Sum("quantity"))
        .values_list("variant_id", "units")
    )
    mismatches = {
        str(pk): {"fell": before[pk] - after[pk], "told": told[pk], "lines": in_lines.get(pk, 0)}
        for pk in before
        if not before[pk] - after[pk] == told[pk] == in_lines.get(pk, 0)
    }
    counted = [p for shopper in shoppers for p in shopper["placed"] if p[0] != "warm-up"]
    errors = Counter()
    for shopper in shoppers:
        errors.update(shopper["errors"])
    placed_total = sum(len(shopper["placed"]) for shopper in shoppers)
    if Order.objects.count() != placed_total:
        mismatches["orders"] = {"in_database": Order.objects.count(), "told": placed_total}
    return {
        "customers": CUSTOMERS,
        "processes": PROCESSES,
        "products": PRODUCTS,
        "seconds": seconds,
        "orders": len(counted),
        "per_second": len(counted) / seconds if seconds else 0.0,
        "latency_ms": _percentiles([ms for _m, ms, _l in counted]),
        "latency_by_method_ms": {
            method: _percentiles([ms for m, ms, _l in counted if m == method])
            for method in ("cod", "card")
        },
        "errors": dict(errors),
        "units": sum(told.values()),
        "variants_sold": sum(1 for units in told.values() if units),
        "stock_exact": not mismatches,
        "stock_mismatches": mismatches,
    }


if __name__ == "__main__":
    if sys.argv[1:] != ["--measure"]:
        raise SystemExit("Run the benchmark with `python -m bench checkout`.")
    print(RESULT_PREFIX + json.dumps(_measure()))
