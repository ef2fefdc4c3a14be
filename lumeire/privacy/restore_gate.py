"""The store does not serve a restored database until its erasures are replayed.

A backup restored from before an erasure holds the erased person's key again. Until
``manage.py erasure_replay`` has destroyed it, every request gets 503, so nobody signs in to an
erased account or reads its data. ``migrate`` is stopped by the system check ``vault.E020``;
this covers a server started without it. The answer is cached per process: a minute while all
is well, a few seconds while blocked, and read again at once when the journal file changes.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from lumeire.vault.journal import journal_path
from lumeire.vault.selectors import erasure_blockers

logger = logging.getLogger(__name__)

CLEAR_FOR_SECONDS = 60.0
BLOCKED_FOR_SECONDS = 5.0
# An erasure writes its journal line just before it commits: a line this young is an erasure
# in flight, not a restore. (Its key already reads as erased meanwhile: see the vault.)
IN_FLIGHT_SECONDS = 120.0

_state: dict[str, object] = {"until": 0.0, "stamp": None, "blockers": []}


def _journal_stamp() -> tuple[str, int, int]:
    path = journal_path()
    try:
        info = path.stat()
    except OSError:
        return (str(path), 0, -1)
    return (str(path), info.st_mtime_ns, info.st_size)


def store_blockers() -> list[str]:
    """Why the store may not serve now (cached); empty when it may."""
    stamp = _journal_stamp()
    now = time.monotonic()
    if _state["stamp"] == stamp and now < float(_state["until"]):
        return list(_state["blockers"])
    blockers = erasure_blockers(settle_seconds=IN_FLIGHT_SECONDS)
    if blockers and blockers != _state["blockers"]:
        logger.error(
            "serving refused until erasure_replay runs",
            extra={"event": "erasure_replay_required", "blockers": blockers},
        )
    _state.update(
        stamp=stamp,
        blockers=blockers,
        until=now + (BLOCKED_FOR_SECONDS if blockers else CLEAR_FOR_SECONDS),
    )
    return blockers


def forget_store_state() -> None:
    """Check again at the next request (after a replay in this process)."""
    _state.update(until=0.0, stamp=None, blockers=[])


class ErasureReplayGateMiddleware:
    """Answer 503 while the database holds keys the erasure journal lists as destroyed."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if store_blockers():
            return HttpResponse(
                _("The store is being restored and will be back shortly."),
                status=503,
                content_type="text/plain; charset=utf-8",
                headers={"Retry-After": str(int(BLOCKED_FOR_SECONDS * 12))},
            )
        return self.get_response(request)
