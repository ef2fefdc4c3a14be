"""What can go wrong inside the vault, each with a message that says what to do."""

from __future__ import annotations


class VaultError(Exception):
    """Base of every vault failure."""


class VaultConfigurationError(VaultError):
    """A key in the environment is missing or malformed."""


class VaultIntegrityError(VaultError):
    """A stored value failed authentication: altered, truncated, or moved to another place."""


class UnknownMasterKeyError(VaultError):
    """A data key is wrapped by a master key that is not in the keyring."""
