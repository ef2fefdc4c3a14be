"""Why a staff account was not created or changed."""

from __future__ import annotations

from enum import StrEnum

from lumeire.core.errors import ApplicationError


class StaffErrorCode(StrEnum):
    INVALID_INPUT = "invalid_input"


class StaffError(ApplicationError):
    """Staff account input refused, with a message per field."""
