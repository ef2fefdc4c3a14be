"""What a shopper asked a product list for, read from the query string.

Only the parameters the store understands are kept: tracking tags (utm_*, fbclid, ...) never
reach the list, its links or its cache keys.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from urllib.parse import urlencode

from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lumeire.catalog.errors import CatalogError, CatalogErrorCode
from lumeire.catalog.models import Category
from lumeire.catalog.selectors import (
    DEFAULT_LIMIT,
    ProductFilters,
    ProductSort,
    parse_limit,
    parse_price,
    parse_sort,
)

OPTION_PREFIX = "opt_"
MAX_QUERY_LENGTH = 100
MAX_OPTION_LENGTH = 100
MAX_OPTIONS = 8
_YES = {"1", "on", "true", "yes"}
_NO = {"", "0", "off", "false", "no"}

# How each parameter is named when a refusal is shown on the page.
FIELD_LABELS = {
    "min_price": gettext_lazy("Lowest price"),
    "max_price": gettext_lazy("Highest price"),
    "in_stock": gettext_lazy("In stock only"),
    "sort": gettext_lazy("Sort by"),
    "limit": gettext_lazy("Products per page"),
    "cursor": gettext_lazy("Page"),
    "options": gettext_lazy("Options"),
}

SORT_CHOICES = (
    (ProductSort.RELEVANCE, gettext_lazy("Relevance")),
    (ProductSort.PRICE, gettext_lazy("Price: low to high")),
    (ProductSort.PRICE_DESC, gettext_lazy("Price: high to low")),
    (ProductSort.NEWEST, gettext_lazy("Newest")),
)


@dataclass(frozen=True)
class ShelfQuery:
    """A product list request, parsed; ``link`` rebuilds its address with some values changed."""

    text: str = ""
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    in_stock: bool = False
    options: tuple[tuple[str, str], ...] = ()
    sort: ProductSort = ProductSort.RELEVANCE
    limit: int = DEFAULT_LIMIT
    cursor: str | None = None

    def filters(self, category: Category | None = None) -> ProductFilters:
        return ProductFilters(
            category=category,
            query=self.text,
            min_price=self.min_price,
            max_price=self.max_price,
            in_stock=self.in_stock,
            options=self.options,
            sort=self.sort,
        )

    def params(self) -> list[tuple[str, str]]:
        """The query string's pairs, in a fixed order and without defaults."""
        pairs = [
            ("q", self.text),
            ("min_price", _plain(self.min_price)),
            ("max_price", _plain(self.max_price)),
            ("in_stock", "1" if self.in_stock else ""),
            *((f"{OPTION_PREFIX}{name}", value) for name, value in self.options),
            ("sort", "" if self.sort == ProductSort.RELEVANCE else str(self.sort)),
            ("limit", "" if self.limit == DEFAULT_LIMIT else str(self.limit)),
            ("cursor", self.cursor or ""),
        ]
        return [(name, value) for name, value in pairs if value]

    def link(self, **changes: object) -> str:
        """``?...`` for this list with ``changes`` applied (``cursor=None`` starts over)."""
        encoded = urlencode(replace(self, **changes).params())
        return f"?{encoded}" if encoded else "?"

    @property
    def clear_link(self) -> str:
        """``?...`` for the same search (or category) without filters, sort or page."""
        return ShelfQuery(text=self.text).link()

    @property
    def key(self) -> str:
        """What cached fragments of this list vary on."""
        return urlencode(self.params())

    @property
    def is_narrowed(self) -> bool:
        return bool(
            self.min_price is not None
            or self.max_price is not None
            or self.in_stock
            or self.options
        )

    @property
    def custom_limit(self) -> int | None:
        return None if self.limit == DEFAULT_LIMIT else self.limit

    def chosen_option(self, name: str) -> str:
        return dict(self.options).get(name, "")


def _plain(value: Decimal | None) -> str:
    return "" if value is None else format(value.normalize(), "f")


def _flag(raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in _YES:
        return True
    if lowered in _NO:
        return False
    raise _refused("in_stock", _("Use true or false."))


def _refused(field: str, message: str) -> CatalogError:
    return CatalogError(CatalogErrorCode.INVALID_INPUT, message, field_errors={field: [message]})


def _options(params: QueryDict) -> tuple[tuple[str, str], ...]:
    chosen = {}
    for key, value in params.items():
        if not key.startswith(OPTION_PREFIX) or not value.strip():
            continue
        name = key.removeprefix(OPTION_PREFIX)
        if not name or len(name) > MAX_OPTION_LENGTH or len(value) > MAX_OPTION_LENGTH:
            raise _refused("options", _("Choose an option from the list."))
        chosen[name] = value.strip()
    if len(chosen) > MAX_OPTIONS:
        raise _refused("options", _("Choose an option from the list."))
    return tuple(sorted(chosen.items()))


def parse_shelf_query(params: QueryDict) -> ShelfQuery:
    """Every parameter checked at once, so one refusal names all that is wrong."""
    errors: dict[str, list[str]] = {}
    values: dict[str, object] = {"text": params.get("q", "").strip()[:MAX_QUERY_LENGTH]}
    readers = {
        "min_price": lambda: parse_price(params.get("min_price", "").strip(), "min_price"),
        "max_price": lambda: parse_price(params.get("max_price", "").strip(), "max_price"),
        "in_stock": lambda: _flag(params.get("in_stock", "")),
        "options": lambda: _options(params),
        "sort": lambda: parse_sort(params.get("sort", "").strip()),
        "limit": lambda: parse_limit(params.get("limit", "").strip()),
        "cursor": lambda: params.get("cursor", "").strip() or None,
    }
    for field, read in readers.items():
        try:
            values[field] = read()
        except CatalogError as error:
            for name, messages in (error.field_errors or {field: [error.message]}).items():
                errors.setdefault(name, []).extend(messages)
    low, high = values.get("min_price"), values.get("max_price")
    if low is not None and high is not None and low > high:
        errors.setdefault("max_price", []).append(
            _("The highest price must not be below the lowest.")
        )
    if errors:
        first = next(iter(errors.values()))[0]
        raise CatalogError(CatalogErrorCode.INVALID_INPUT, first, field_errors=errors)
    return ShelfQuery(**values)


def refusal_lines(error: CatalogError) -> list[str]:
    """A refusal as sentences a shopper can act on, each naming the filter it is about."""
    lines = []
    for field, messages in (error.field_errors or {"": [error.message]}).items():
        label = FIELD_LABELS.get(field)
        lines += [f"{label}: {message}" if label else message for message in messages]
    return lines
