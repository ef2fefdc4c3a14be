"""The cluster test's hands inside the store: a process with the store's settings and database.

It opens customers, issues their API tokens, fills carts and edits the catalogue, always through
the store's own services (what a sign-up, a staff edit or the demo loader would call), so what the
app nodes then serve is the store's doing. Started once per run (``python -m cluster.store_agent``
with the cluster's environment), it reads one JSON command per line on standard input and writes
one answer per line on standard output, prefixed with ``@@agent``; the store's logs go to
standard error.
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
from decimal import Decimal

PREFIX = "@@agent "
AGENT_ADDRESS = "192.0.2.250"


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def op_customers(usernames: list[str]) -> dict[str, str]:
    """Open one customer account per username, through sign-up and its emailed link."""
    from lumeire.accounts.tests.factories import open_account, sign_up_data

    opened: dict[str, str] = {}
    for username in usernames:
        data = sign_up_data(username=username, email=f"{username}@cluster.example")
        # An address of their own: the sign-up limit per address is lifted for these accounts
        # only, and the demo loader's own sign-up, running at the same time, counts apart.
        user = open_account(data, client_address=AGENT_ADDRESS)
        if user is None:
            raise RuntimeError(f"customer {username} was not opened")
        opened[username] = str(user.pk)
    return opened


def op_tokens(usernames: list[str]) -> dict[str, str]:
    """An API bearer token for each customer (what signing in through the API gives)."""
    from lumeire.accounts.selectors import user_by_login
    from lumeire.accounts.services.signin import api_token_issue

    return {name: api_token_issue(user=user_by_login(name)).raw for name in usernames}


def op_cart_fill(usernames: list[str], sku: str, quantity: int) -> int:
    """Put ``quantity`` of ``sku`` in each customer's cart."""
    from lumeire.accounts.selectors import user_by_login
    from lumeire.cart.services import cart_add, customer_cart

    for name in usernames:
        cart_add(cart=customer_cart(user_by_login(name)), sku=sku, quantity=quantity)
    return len(usernames)


def op_products(count: int) -> list[dict[str, object]]:
    """Listed products for sale to anyone, each with a variant in stock and a photo."""
    from lumeire.catalog.models import Product

    found = []
    products = (
        Product.objects.filter(is_listed=True, min_age__isnull=True, images__isnull=False)
        .distinct()
        .order_by("id")
    )
    for product in products:
        variant = product.variants.filter(is_active=True, stock__gt=0).order_by("id").first()
        image = product.images.order_by("position", "id").first()
        if variant is None or image is None:
            continue
        found.append(
            {
                "slug": product.slug,
                "name": product.name_en,
                "category": product.category.slug,
                "sku": variant.sku,
                "variant_id": variant.pk,
                "image": image.display.name,
            }
        )
        if len(found) == count:
            break
    return found


def op_stock_set(sku: str, quantity: int) -> int:
    from lumeire.catalog.models import Variant
    from lumeire.catalog.services import stock_set

    return stock_set(variant=Variant.objects.get(sku=sku), quantity=quantity).stock


def op_product_edit(slug: str, name: str, price: str) -> dict[str, object]:
    """A staff edit: a new English name and a new price, one transaction, as the back office saves.

    Answers when the edit has committed (``committed_at``, seconds since the epoch).
    """
    from django.db import transaction

    from lumeire.catalog.models import Product
    from lumeire.catalog.services import product_save, variant_save
    from lumeire.core.money import gross_price

    with transaction.atomic():
        product = Product.objects.get(slug=slug)
        product.name_en = name
        product_save(product=product)
        variant = product.variants.filter(is_active=True).order_by("id").first()
        variant.price = Decimal(price)
        variant_save(variant=variant)
    return {"committed_at": time.time(), "gross": f"{gross_price(Decimal(price)):,.2f}"}


def op_periodic() -> dict[str, float]:
    """Every periodic task of the store and how many seconds apart its runs are."""
    from lumeire.core.periodic import periodic_tasks

    return {entry.path: entry.every.total_seconds() for entry in periodic_tasks()}


OPERATIONS = {
    "customers": op_customers,
    "tokens": op_tokens,
    "cart_fill": op_cart_fill,
    "products": op_products,
    "stock_set": op_stock_set,
    "product_edit": op_product_edit,
    "periodic": op_periodic,
}


def _answer(payload: dict[str, object]) -> None:
    sys.stdout.write(PREFIX + json.dumps(payload, default=str) + "\n")
    sys.stdout.flush()


def main() -> None:
    _setup()
    _answer({"ok": True, "result": "ready"})
    for line in sys.stdin:
        if not line.strip():
            continue
        command = json.loads(line)
        try:
            result = OPERATIONS[command["op"]](**command.get("args", {}))
        except Exception as error:  # the test reads the reason; the agent keeps serving
            _answer({"ok": False, "error": f"{error!r}", "trace": traceback.format_exc()})
        else:
            _answer({"ok": True, "result": result})


if __name__ == "__main__":
    main()
