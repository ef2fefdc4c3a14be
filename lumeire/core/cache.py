"""The store's two Redis caches, and what each does when Redis does not answer.

Every Redis call gives up after ``LUMEIRE_REDIS_TIMEOUT_MS`` (connect and answer, no retries),
and a failure opens a breaker for this process: for ``BREAKER_SECONDS`` no call goes to that
Redis at all, so an outage costs one short wait per worker process now and then, not one per
call. When the pause is over the next call tries Redis again; a readiness probe (``/readyz``)
that reaches Redis ends the pause at once.

- :class:`DegradingRedisCache` ("default": catalogue fragments, the category tree, address
  blocks) behaves like no cache while Redis is away: reads miss, writes are dropped, and pages
  are built from the database.
- :class:`FailClosedRedisCache` ("shared": lockout and rate-limit counters) raises
  :class:`SharedStoreUnavailable` instead. A counter that cannot be read must not read as zero:
  that would let unlimited sign-in guesses through. The refusal is a 503 with ``Retry-After``
  (see ``lumeire.core.outage``).

A warning is logged at most once per ``WARNING_EVERY_SECONDS`` per process and Redis address.
"""

from __future__ import annotations

import logging
import threading
import time
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from django.utils.translation import gettext as _
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry

from lumeire.core.errors import ApplicationError

logger = logging.getLogger(__name__)

BREAKER_SECONDS = 5.0
WARNING_EVERY_SECONDS = 30.0
RETRY_AFTER_SECONDS = 30
SHARED_STORE_UNAVAILABLE = "shared_store_unavailable"

# Set when the shared store refused during the current request, so the answer gets Retry-After
# even when a view caught the refusal and drew its own page.
_refused_in_request: ContextVar[bool] = ContextVar("lumeire_shared_store_refused", default=False)


class SharedStoreUnavailable(ApplicationError):
    """The lockout and rate-limit counters cannot be read or written: refuse, and say when."""

    status_code = 503
    retry_after = RETRY_AFTER_SECONDS

    def __init__(self) -> None:
        super().__init__(
            SHARED_STORE_UNAVAILABLE,
            _(
                "This action is paused for a moment while one of our systems recovers. "
                "Nothing was changed. Please try again in 30 seconds."
            ),
        )


def shared_store_refused_in_request() -> bool:
    """Whether the shared store refused an action during the current request."""
    return _refused_in_request.get()


def forget_refusal() -> None:
    """Start a request with no refusal seen."""
    _refused_in_request.set(False)


@dataclass
class _Breaker:
    """One Redis address's state in this process (shared by every thread's cache objects)."""

    open_until: float = 0.0
    warned_at: float = float("-inf")
    lock: threading.Lock = field(default_factory=threading.Lock)

    def is_open(self) -> bool:
        return time.monotonic() < self.open_until

    def trip(self, error: BaseException) -> None:
        now = time.monotonic()
        with self.lock:
            self.open_until = now + BREAKER_SECONDS
            warn = now - self.warned_at >= WARNING_EVERY_SECONDS
            if warn:
                self.warned_at = now
        if warn:
            # The error's class only: its text may quote the address and port.
            logger.warning(
                "redis unavailable; skipped for %.0f s",
                BREAKER_SECONDS,
                extra={"event": "redis_unavailable", "error": type(error).__name__},
            )

    def close(self) -> None:
        self.open_until = 0.0


_breakers: dict[str, _Breaker] = {}
_breakers_lock = threading.Lock()


def _breaker_for(location: str) -> _Breaker:
    with _breakers_lock:
        return _breakers.setdefault(location, _Breaker())


def reset_breakers() -> None:
    """Close every breaker (after a test that cut Redis)."""
    with _breakers_lock:
        for breaker in _breakers.values():
            breaker.close()


class _GuardedRedisCache(RedisCache):
    """Django's Redis cache with no retries, and every call behind the breaker."""

    def __init__(self, server: str | list[str], params: dict[str, Any]) -> None:
        super().__init__(server, params)
        # redis-py's defaults wait 5 s per read; settings.py gives both timeouts. One try only:
        # a retry would double the wait and the breaker already decides when to try again.
        self._options = {**self._options, "retry": Retry(NoBackoff(), 0)}
        self._location = ",".join(self._servers)
        self._breaker = _breaker_for(self._location)

    def _unavailable(self, fallback: Any) -> Any:
        raise NotImplementedError

    def _call(self, operation: str, fallback: Any, *args: Any, **kwargs: Any) -> Any:
        if self._breaker.is_open():
            return self._unavailable(fallback)
        try:
            return getattr(super(), operation)(*args, **kwargs)
        except RedisError as error:
            self._breaker.trip(error)
            return self._unavailable(fallback)

    def ping(self) -> bool:
        """Whether Redis answers now (readiness asks Redis itself, whatever the breaker says).

        An answer closes the breaker, so sign-in resumes as soon as the balancer sees Redis back.
        """
        try:
            answered = bool(self._cache.get_client(write=True).ping())
        except RedisError as error:
            self._breaker.trip(error)
            return False
        if answered:
            self._breaker.close()
        return answered

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", True, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call("get", default, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", None, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", False, key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", False, key, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", {}, keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", False, key, version)

    def incr(self, key, delta=1, version=None):
        return self._call("incr", _MISSING, key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", [], data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", None, keys, version)

    def clear(self):
        return self._call("clear", False)


class _Missing:
    """incr()'s answer when nothing is stored: Django raises ValueError for a missing key."""


_MISSING = _Missing()


class DegradingRedisCache(_GuardedRedisCache):
    """A cache that is no cache while Redis is away: a miss, and writes dropped."""

    def _unavailable(self, fallback: Any) -> Any:
        if fallback is _MISSING:
            raise ValueError("Key not found (the cache is unavailable).")
        return fallback


class FailClosedRedisCache(_GuardedRedisCache):
    """A cache whose answers decide who may act: while Redis is away, nobody may."""

    def _unavailable(self, fallback: Any) -> Any:
        _refused_in_request.set(True)
        # Chained to nothing: the Redis error's text may quote the address.
        raise SharedStoreUnavailable() from None
