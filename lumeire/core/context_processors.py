"""Template values every page needs."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def store(request: HttpRequest) -> dict[str, object]:
    """Expose the store's name and the request id (shown on error pages for support)."""
    return {
        "store_name": settings.LUMEIRE_STORE_NAME,
        "request_id": getattr(request, "request_id", ""),
    }
