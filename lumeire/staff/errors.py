"""Why a staff account, a search or a look at personal values was refused."""

from __future__ import annotations

from enum import StrEnum

from lumeire.core.errors import ApplicationError


class StaffErrorCode(StrEnum):
    INVALID_INPUT = "invalid_input"
    IDENTITY_SEARCH_NOT_ALLOWED = "identity_search_not_allowed"
    IDENTITY_SEARCH_NEEDS_REASON = "identity_search_needs_reason"
    IDENTITY_SEARCH_LIMIT = "identity_search_limit"
    CONTACT_SEARCH_NOT_ALLOWED = "contact_search_not_allowed"


class StaffError(ApplicationError):
    """Staff input refused, with a message per field."""
