"""What the audit log refuses."""

from __future__ import annotations

from lumeire.core.errors import ApplicationError


class AuditLogImmutableError(RuntimeError):
    """An attempt to change or delete an audit entry: a bug or tampering, never a user's input."""


class AuditReasonError(ApplicationError):
    """A reason that cannot be recorded as given (too long); nothing is recorded."""


class AuditKeyError(RuntimeError):
    """A master key the audit log derives its keys from is missing or is not base64 text."""


class AuditChainBrokenError(RuntimeError):
    """The entries a checkpoint would seal do not chain: sealing them would hide the break."""


class AuditAnchorRefusedError(RuntimeError):
    """The entries since the newest anchor do not hold, so no new anchor may vouch for them."""
