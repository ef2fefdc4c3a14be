"""Why a catalogue change was refused."""

from __future__ import annotations

from enum import StrEnum

from lumeire.core.errors import ApplicationError


class CatalogErrorCode(StrEnum):
    INVALID_INPUT = "invalid_input"
    SKU_TAKEN = "sku_taken"
    SLUG_TAKEN = "slug_taken"
    BAD_IMAGE = "bad_image"
    CATEGORY_CYCLE = "category_cycle"


class CatalogError(ApplicationError):
    """A catalogue change refused with a message staff can act on."""
