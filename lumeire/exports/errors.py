"""Refusals of the export feature, each with a stable code."""

from __future__ import annotations

from enum import StrEnum

from lumeire.core.errors import ApplicationError, NotFoundError


class ExportErrorCode(StrEnum):
    TOO_MANY = "export_too_many"
    NOT_FOUND = "export_not_found"
    NOT_READY = "export_not_ready"
    GONE = "export_gone"


class ExportLimitReached(ApplicationError):
    status_code = 429


class ExportNotFound(NotFoundError):
    """Someone else's export, an unknown id and a used or expired link all read the same."""
