"""The worker's memory behind the "pages" cache, bounded by bytes as well as by count.

Django's local-memory cache counts entries only and, when full, drops a third of them at once. A
whole catalogue of pages (two languages per product) must fit in a worker without a fixed count
guessed for one catalogue size, and a full cache must not lose thousands of pages in one go. This
one keeps Django's least-recently-used order and evicts the oldest pages one at a time until
both the entry count and the bytes held (the stored value, its key and a fixed overhead per
entry) are within their bounds. The bounds come from OPTIONS: MAX_ENTRIES and MAX_BYTES.

With OPTIONS["SHARED_DIR"], the workers of one machine also share the pages they render: a page
is written there once (a file named by a hash of its key) and a worker that does not hold it
reads it from there before rendering it again, so a catalogue is rendered once per machine, not
once per worker, and a restarted worker starts warm. Only pages, (content type, body) pairs, are
shared, in a plain format (never a pickle). The folder is namespaced by the database, the server
process (the workers' parent) and the code (its newest change under lumeire/), so a restart, a
deploy or another store never reads pages it did not render. Once a minute a worker that wrote a
page sweeps the folder: files older than SHARED_MAX_AGE go, then the oldest until the folder
holds at most SHARED_MAX_BYTES. An error there only costs the sharing, never the page.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import pickle
import struct
import time
from pathlib import Path

from django.conf import settings
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache

DEFAULT_MAX_BYTES = 32 * 2**20
# What an entry costs beyond its bytes: the dictionary slots, the key object, its expiry.
ENTRY_OVERHEAD = 200
SWEEP_EVERY_SECONDS = 60
DEFAULT_SHARED_MAX_AGE = 900
DEFAULT_SHARED_MAX_BYTES = 128 * 2**20
# A shared file: its expiry time, the content type's length, the content type, the body.
_HEAD = struct.Struct("!dH")
_MISSING = object()

# Like Django's own, the state is per process and shared by the cache objects of every thread.
_sizes: dict[str, dict[str, int]] = {}
_totals: dict[str, list[int]] = {}
_swept: dict[str, float] = {}


@functools.cache
def _namespace() -> str:
    """The database, the server process and the code the pages are rendered by."""
    database = settings.DATABASES["default"]
    code = Path(__file__).resolve().parent.parent
    newest = max(
        (
            entry.stat().st_mtime
            for entry in code.rglob("*")
            if entry.suffix in {".py", ".html", ".mo", ".txt"}
        ),
        default=0.0,
    )
    parts = (
        database.get("ENGINE"),
        database.get("NAME"),
        database.get("HOST"),
        database.get("PORT"),
        os.getppid(),
        newest,
    )
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:24]


def _is_page(value: object) -> bool:
    return (
        isinstance(value, tuple)
        and len(value) == 2
        and isinstance(value[0], str)
        and len(value[0]) < 1000
        and isinstance(value[1], bytes)
    )


class PageMemoryCache(LocMemCache):
    def __init__(self, name: str, params: dict):
        super().__init__(name, params)
        options = params.get("OPTIONS", {})
        self._max_bytes = int(options.get("MAX_BYTES", DEFAULT_MAX_BYTES))
        self._sizes = _sizes.setdefault(name, {})
        self._total = _totals.setdefault(name, [0])
        shared = options.get("SHARED_DIR")
        self._shared_root = Path(shared) if shared else None
        self._max_age = float(options.get("SHARED_MAX_AGE", DEFAULT_SHARED_MAX_AGE))
        self._shared_max_bytes = int(options.get("SHARED_MAX_BYTES", DEFAULT_SHARED_MAX_BYTES))

    @property
    def held_bytes(self) -> int:
        """The bytes the entries take, as counted against MAX_BYTES."""
        return self._total[0]

    def get(self, key, default=None, version=None):
        value = super().get(key, _MISSING, version)
        if value is not _MISSING:
            return value
        if self._shared_root is None:
            return default
        made = self.make_and_validate_key(key, version=version)
        found = self._read_shared(made)
        if found is None:
            return default
        expiry, page = found
        with self._lock:
            self._set(made, pickle.dumps(page, self.pickle_protocol), None)
            self._expire_info[made] = expiry
        return page

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        made = self.make_and_validate_key(key, version=version)
        pickled = pickle.dumps(value, self.pickle_protocol)
        with self._lock:
            self._set(made, pickled, timeout)
            expiry = self._expire_info.get(made)
        if self._shared_root is not None and _is_page(value):
            self._write_shared(made, value, expiry)

    def delete(self, key, version=None):
        deleted = super().delete(key, version)
        if self._shared_root is not None:
            path = self._shared_path(self.make_and_validate_key(key, version=version))
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)
        return deleted

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()
            self._expire_info.clear()
            self._sizes.clear()
            self._total[0] = 0
        if self._shared_root is not None:
            with contextlib.suppress(OSError):
                for entry in os.scandir(self._shared_folder()):
                    os.unlink(entry.path)

    # --- Bounds ---------------------------------------------------------------------------------

    def _forget_size(self, key: str) -> None:
        self._total[0] -= self._sizes.pop(key, 0)

    def _set(self, key: str, value: bytes, timeout=DEFAULT_TIMEOUT) -> None:
        # Called with the lock held, the value already pickled.
        self._forget_size(key)
        self._cache[key] = value
        self._cache.move_to_end(key, last=False)  # the front is the most recently used
        self._expire_info[key] = self.get_backend_timeout(timeout)
        size = len(value) + len(key) + ENTRY_OVERHEAD
        self._sizes[key] = size
        self._total[0] += size
        self._evict()

    def _evict(self) -> None:
        """Drop the least recently used entries until both bounds hold (the newest always stays)."""
        while len(self._cache) > 1 and (
            len(self._cache) > self._max_entries or self._total[0] > self._max_bytes
        ):
            oldest, _value = self._cache.popitem()
            self._expire_info.pop(oldest, None)
            self._forget_size(oldest)

    def _cull(self) -> None:
        self._evict()

    def _delete(self, key: str) -> bool:
        self._forget_size(key)
        return super()._delete(key)

    def incr(self, key, delta=1, version=None):
        value = super().incr(key, delta, version)
        made = self.make_and_validate_key(key, version=version)
        with self._lock:
            if made in self._cache:
                self._forget_size(made)
                size = len(self._cache[made]) + len(made) + ENTRY_OVERHEAD
                self._sizes[made] = size
                self._total[0] += size
        return value

    # --- The machine's shared folder ------------------------------------------------------------

    def _shared_folder(self) -> Path:
        assert self._shared_root is not None
        return self._shared_root / _namespace()

    def _shared_path(self, key: str) -> Path:
        return self._shared_folder() / hashlib.sha256(key.encode()).hexdigest()

    def _read_shared(self, key: str) -> tuple[float, tuple[str, bytes]] | None:
        try:
            data = self._shared_path(key).read_bytes()
        except OSError:
            return None
        if len(data) < _HEAD.size:
            return None
        expiry, length = _HEAD.unpack_from(data)
        if expiry <= time.time():
            return None
        content_type = data[_HEAD.size : _HEAD.size + length].decode("utf-8", "replace")
        return expiry, (content_type, data[_HEAD.size + length :])

    def _write_shared(self, key: str, page: tuple[str, bytes], expiry: float | None) -> None:
        path = self._shared_path(key)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.{time.monotonic_ns()}")
        content_type = page[0].encode()
        head = _HEAD.pack(float("inf") if expiry is None else expiry, len(content_type))
        try:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as out:
                out.write(head + content_type + page[1])
            os.replace(temporary, path)  # a reader sees the whole file or none
        except OSError:
            with contextlib.suppress(OSError):
                temporary.unlink(missing_ok=True)
            return
        self._sweep_now_and_then()

    def _sweep_now_and_then(self) -> None:
        root = self._shared_root
        now = time.time()
        if root is None or now - _swept.get(str(root), 0.0) < SWEEP_EVERY_SECONDS:
            return
        _swept[str(root)] = now
        with contextlib.suppress(OSError):
            self.sweep(now)

    def sweep(self, now: float) -> None:
        """Remove the shared files older than SHARED_MAX_AGE in every namespace, then the oldest
        until SHARED_MAX_BYTES hold, and the folders of other namespaces left empty."""
        assert self._shared_root is not None
        own = str(self._shared_folder())
        kept: list[tuple[float, int, str]] = []
        for folder in [entry for entry in os.scandir(self._shared_root) if entry.is_dir()]:
            for entry in os.scandir(folder.path):
                stat = entry.stat()
                if now - stat.st_mtime > self._max_age:
                    os.unlink(entry.path)
                else:
                    kept.append((stat.st_mtime, stat.st_size, entry.path))
            if folder.path != own and next(os.scandir(folder.path), None) is None:
                os.rmdir(folder.path)
        held = sum(size for _mtime, size, _path in kept)
        for _mtime, size, path in sorted(kept):
            if held <= self._shared_max_bytes:
                break
            os.unlink(path)
            held -= size
