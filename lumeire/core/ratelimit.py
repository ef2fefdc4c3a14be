"""Fixed-window counters in the cache, for actions that must not be repeated without limit.

The counters live in the "shared" cache. While it is unreachable, :func:`allow` raises
``lumeire.core.cache.SharedStoreUnavailable`` (a 503 with Retry-After): an action whose count
cannot be kept is refused, never let through uncounted.
"""

from __future__ import annotations

import time

from django.core.cache import caches


def allow(bucket: str, *, limit: int, window_seconds: int) -> bool:
    """Count one hit in ``bucket``; return False once ``limit`` hits were seen in this window.

    ``bucket`` must carry no personal value in clear (use a keyed hash).
    """
    cache = caches["shared"]
    window = int(time.time()) // window_seconds
    key = f"ratelimit:{bucket}:{window}"
    if cache.add(key, 1, timeout=window_seconds + 5):
        return limit >= 1
    try:
        hits = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.add(key, 1, timeout=window_seconds + 5)
        hits = 1
    return hits <= limit
