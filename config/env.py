"""The one place that reads the process environment.

Every deploy-time value enters through here, so a reader can see at a glance what the store
needs from its host. A local secrets file (``LUMEIRE_ENV_FILE``, written by ``make run``) may
supply values the environment does not; a real environment variable always wins.
"""

from __future__ import annotations

import ipaddress
import os
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _read_env_file(path: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for raw in Path(path).read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        name, _, value = line.partition("=")
        values[name.strip()] = value.strip()
    return values


def _load() -> dict[str, str]:
    merged: dict[str, str] = {}
    env_file = os.environ.get("LUMEIRE_ENV_FILE", "")
    if env_file:
        if not Path(env_file).is_file():
            raise ImproperlyConfigured(f"LUMEIRE_ENV_FILE names {env_file}, which does not exist.")
        merged.update(_read_env_file(env_file))
    merged.update(os.environ)
    return merged


_VALUES = _load()


def env_str(name: str, default: str | None = None) -> str | None:
    """Return a variable's text, or ``default`` when it is unset."""
    return _VALUES.get(name, default)


def env_required(name: str) -> str:
    """Return a variable that must be set, failing start-up with its name when it is not."""
    value = _VALUES.get(name, "")
    if not value.strip():
        raise ImproperlyConfigured(
            f"The environment variable {name} is required and is not set. "
            "See README.md, section 'Environment variables'."
        )
    return value


def env_bool(name: str, default: bool = False) -> bool:
    """Return a yes/no variable; anything but a clear yes or no is a start-up error."""
    value = _VALUES.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name} must be one of true/false/1/0/yes/no/on/off, not {value!r}."
    )


def env_int(name: str, default: int) -> int:
    """Return a whole-number variable."""
    value = _VALUES.get(name)
    if value is None or not value.strip():
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


def env_decimal(name: str, default: str) -> Decimal:
    """Return a decimal variable (money and rates are never floats)."""
    value = _VALUES.get(name) or default
    try:
        return Decimal(value)
    except InvalidOperation:
        raise ImproperlyConfigured(f"{name} must be a decimal number, not {value!r}.") from None


def env_list(name: str, default: str = "") -> list[str]:
    """Return a comma-separated variable as a list, blanks dropped."""
    value = _VALUES.get(name, default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_networks(name: str) -> tuple[str, ...]:
    """Return comma-separated IP addresses or CIDR networks, each checked and normalised."""
    networks = []
    for item in env_list(name):
        try:
            networks.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError:
            raise ImproperlyConfigured(
                f"{name} must list IP addresses or networks such as 10.0.0.0/8, not {item!r}."
            ) from None
    return tuple(networks)
