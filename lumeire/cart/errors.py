"""Why a cart change was refused."""

from __future__ import annotations

from enum import StrEnum

from lumeire.core.errors import ApplicationError


class CartErrorCode(StrEnum):
    INVALID_QUANTITY = "invalid_quantity"
    UNKNOWN_SKU = "unknown_sku"
    NOT_ENOUGH_STOCK = "not_enough_stock"
    UNKNOWN_LINE = "unknown_line"


class CartError(ApplicationError):
    """A cart change refused; the cart is unchanged."""


class CartLineMissing(CartError):
    """The line is not in this cart (or belongs to someone else's): the same answer."""

    status_code = 404
