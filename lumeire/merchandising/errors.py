"""Why a banner change was refused."""

from __future__ import annotations

from enum import StrEnum

from lumeire.core.errors import ApplicationError


class MerchandisingErrorCode(StrEnum):
    INVALID_INPUT = "invalid_input"
    BAD_IMAGE = "bad_image"


class MerchandisingError(ApplicationError):
    """A banner change refused with a message staff can act on."""
