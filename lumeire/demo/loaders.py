"""The demo store, part by part. Each loader is idempotent and returns a line for the operator.

`make run` calls `load_demo` every time, so a loader changes nothing when its data is there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from lumeire.accounts.models import User
from lumeire.backoffice.services import staff_create
from lumeire.demo.accounts import DEMO_PASSWORD, DEMO_USERNAME, load_demo_customer
from lumeire.demo.catalog import load_demo_catalog
from lumeire.demo.merchandising import load_demo_banners
from lumeire.demo.orders import load_demo_orders

DEMO_STAFF_PASSWORD = "demo staff keeps the shelves tidy"  # noqa: S105 - local demo only
DEMO_STAFF = (
    ("owner", "owner", "Owner"),
    ("catalogue manager", "catalogue", "Catalogue manager"),
    ("fulfilment", "fulfilment", "Fulfilment"),
    ("customer service", "service", "Customer service"),
    ("compliance officer", "compliance", "Compliance officer"),
    ("legal counsel", "legal", "Legal counsel"),
)


@dataclass(frozen=True)
class DemoOptions:
    products: int = 300
    progress: Callable[[int], None] | None = None


def load_demo_staff() -> str:
    """One demo staff account per back office group that exists so far."""
    made = 0
    for _who, username, group in DEMO_STAFF:
        index = User._meta.get_field("username_index").index_of(username)
        if User.objects.filter(username_index=index).exists():
            continue
        with transaction.atomic():
            staff_create(
                username=username,
                email=f"{username}@lumeire.example",
                password=DEMO_STAFF_PASSWORD,
                groups=[group],
            )
        made += 1
    return f"{made} staff accounts created" if made else "staff accounts already present"


def demo_loaders(options: DemoOptions) -> list[tuple[str, Callable[[], str]]]:
    """The loaders in the order they run."""
    return [
        (
            "catalogue",
            lambda: load_demo_catalog(products=options.products, progress=options.progress),
        ),
        ("home page banners", load_demo_banners),
        ("customer", load_demo_customer),
        ("staff", load_demo_staff),
        ("orders", load_demo_orders),
    ]


def demo_sign_ins() -> list[tuple[str, str, str]]:
    """(who, username, password) printed by `make run`, for the local demo only."""
    return [("customer", DEMO_USERNAME, DEMO_PASSWORD)] + [
        (who, username, DEMO_STAFF_PASSWORD) for who, username, _group in DEMO_STAFF
    ]
