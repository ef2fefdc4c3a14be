"""The base of every error a user can cause: a stable code, and a message for a person."""

from __future__ import annotations

from enum import StrEnum


class ApplicationError(Exception):
    """An expected failure that interfaces turn into a 4xx with ``message``; never a 500."""

    status_code = 400
    retry_after: int | None = None  # seconds, for a refusal that time lifts (429)

    def __init__(
        self,
        code: StrEnum | str,
        message: str,
        *,
        field_errors: dict[str, list[str]] | None = None,
        status_code: int | None = None,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(message)
        self.code = str(code)
        self.message = message
        self.field_errors = field_errors or {}
        if status_code is not None:
            self.status_code = status_code
        if retry_after is not None:
            self.retry_after = retry_after


class NotFoundError(ApplicationError):
    """Missing and forbidden look the same, so existence never leaks."""

    status_code = 404


class PermissionDeniedError(ApplicationError):
    """The actor is known but may not do this."""

    status_code = 403


class ConflictError(ApplicationError):
    """The request contradicts the current state (a reused idempotency key, a taken name)."""

    status_code = 409
