"""Reads that belong to no domain: the health of the store's own services."""

from __future__ import annotations

import logging

from django.db import DatabaseError, connections

logger = logging.getLogger(__name__)


def database_is_reachable(alias: str = "default") -> bool:
    """Return whether a real round-trip to the database succeeds."""
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        logger.warning("health check: database unreachable", extra={"database_alias": alias})
        return False
