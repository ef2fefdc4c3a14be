"""Why an account action was refused. Messages are for people; codes are for programs."""

from __future__ import annotations

from enum import StrEnum

from lumeire.core.errors import ApplicationError


class AccountErrorCode(StrEnum):
    INVALID_INPUT = "invalid_input"
    INVALID_CREDENTIALS = "invalid_credentials"
    LOCKED_OUT = "locked_out"
    TWO_FACTOR_REQUIRED = "two_factor_required"
    TWO_FACTOR_INVALID = "two_factor_invalid"
    RECOVERY_LINK_INVALID = "recovery_link_invalid"
    RECOVERY_ANSWER_WRONG = "recovery_answer_wrong"
    WRONG_PASSWORD = "wrong_password"  # noqa: S105 - an error code, not a secret
    RATE_LIMITED = "rate_limited"
    LINK_INVALID = "link_invalid"
    DETAILS_TAKEN = "details_taken"


class AccountError(ApplicationError):
    """An account action refused for a reason the person can act on."""
