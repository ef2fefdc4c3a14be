"""Redis as it fails in production: a closed port, and a server that accepts and never answers.

Also the real Redis on 127.0.0.1:6379 (database 7, a key prefix of its own per test), and the
store's cache settings pointed at any of them.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator

import pytest
import redis

from lumeire.core.cache import reset_breakers

REAL_REDIS = "redis://127.0.0.1:6379/7"
TIMEOUT_MS = 250


def redis_caches(url: str, *, prefix: str = "lumeire-test") -> dict[str, dict]:
    """The store's CACHES as config/settings.py builds them when REDIS_URL is ``url``."""
    options = {"socket_timeout": TIMEOUT_MS / 1000, "socket_connect_timeout": TIMEOUT_MS / 1000}
    return {
        "default": {
            "BACKEND": "lumeire.core.cache.DegradingRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": prefix,
            "OPTIONS": options,
        },
        "pages": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"{prefix}-pages",
        },
        "shared": {
            "BACKEND": "lumeire.core.cache.FailClosedRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": f"{prefix}-shared",
            "OPTIONS": options,
        },
    }


class SilentServer:
    """A TCP server on loopback that accepts every connection and never sends a byte."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0), backlog=128)
        self._listener.settimeout(0.1)
        self.port = self._listener.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                peer, _address = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.accepted.append(peer)  # held open, never read, never answered

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        for peer in self.accepted:
            with contextlib.suppress(OSError):
                peer.close()
        self._listener.close()


def free_port() -> int:
    """A loopback port nobody listens on (bound once, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(autouse=True)
def _closed_breakers() -> Iterator[None]:
    """Each test starts and ends with every Redis breaker closed."""
    reset_breakers()
    yield
    reset_breakers()


@pytest.fixture
def silent_server() -> Iterator[SilentServer]:
    server = SilentServer()
    yield server
    server.close()


@pytest.fixture
def never_answering_redis(silent_server: SilentServer) -> str:
    """The URL of a "Redis" that accepts connections and never answers."""
    return silent_server.url


@pytest.fixture
def closed_port() -> int:
    return free_port()


@pytest.fixture
def closed_redis_port(closed_port: int) -> str:
    """The URL of a Redis that is not running: connections are refused."""
    return f"redis://127.0.0.1:{closed_port}/0"


@pytest.fixture(scope="session")
def _real_redis() -> Iterator[str]:
    """Redis on 127.0.0.1:6379 (database 7) when it runs, else a private redis-server."""
    if _answers(REAL_REDIS):
        yield REAL_REDIS
        return
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("These tests need Redis: run it on 127.0.0.1:6379 or install redis-server.")
    port = free_port()
    server = subprocess.Popen(  # noqa: S603 - a fixed binary, loopback only, no persistence
        [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/7"
    try:
        for _ in range(50):
            if _answers(url):
                break
            time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(5)


def _answers(url: str) -> bool:
    client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


@pytest.fixture
def real_redis_url(_real_redis: str) -> Iterator[str]:
    """A real Redis; the keys the test wrote (under the test prefix) are removed afterwards."""
    yield _real_redis
    client = redis.Redis.from_url(_real_redis, socket_timeout=1, socket_connect_timeout=1)
    for key in client.scan_iter(match="*lumeire-test*"):
        client.delete(key)
    client.close()


@pytest.fixture
def unique_prefix() -> str:
    return f"lumeire-test-{uuid.uuid4().hex[:8]}"
