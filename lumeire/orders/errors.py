"""Why an order action was refused."""

from __future__ import annotations

from enum import StrEnum

from lumeire.core.errors import ApplicationError, NotFoundError


class OrderErrorCode(StrEnum):
    NOT_FOUND = "order_not_found"
    TRANSITION_NOT_ALLOWED = "transition_not_allowed"
    TRACKING_NUMBER_REQUIRED = "tracking_number_required"
    NOT_REFUNDABLE = "not_refundable"
    NOT_PERMITTED = "not_permitted"
    INVALID_EMAIL = "invalid_email"
    RATE_LIMITED = "rate_limited"


class OrderError(ApplicationError):
    """An order action refused; the order is unchanged."""


class OrderNotFound(NotFoundError):
    """No such order for this customer: another customer's order looks exactly the same."""
