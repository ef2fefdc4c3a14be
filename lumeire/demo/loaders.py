"""Each part of the store contributes one idempotent loader; `load_demo` runs them in order.

A loader returns a short line for the operator and changes nothing when its data is already
there, so `make run` can call `load_demo` every time.
"""

from __future__ import annotations

from collections.abc import Callable

DemoLoader = Callable[[], str]

# Parts of the store append their loader here as they arrive (accounts, catalogue, orders...).
LOADERS: list[tuple[str, DemoLoader]] = []

# Sign-ins printed by `make run`: (who, username, password) for the local demo only.
DEMO_SIGN_INS: list[tuple[str, str, str]] = []
