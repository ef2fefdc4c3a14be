"""Template helpers for the shop: money, stock states, option names, cache keys, the cart link."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal

from django import template
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext_lazy, ngettext, pgettext_lazy
from django.utils.translation import gettext as _

from lumeire.core.formatting import money_text
from lumeire.core.money import gross_price
from lumeire.storefront.cart_access import shopper_cart_summary
from lumeire.storefront.shelves import StoreCatalogue, store_catalogue

register = template.Library()

LOW_STOCK = 5

# Options are stored as staff typed them (in English); the common ones read in Arabic too.
_OPTION_WORDS = {
    "size": pgettext_lazy("product option", "size"),
    "colour": pgettext_lazy("product option", "colour"),
    "color": pgettext_lazy("product option", "colour"),
    "volume": pgettext_lazy("product option", "volume"),
    "platform": pgettext_lazy("product option", "platform"),
    "finish": pgettext_lazy("product option", "finish"),
    "format": pgettext_lazy("product option", "format"),
    "metal": pgettext_lazy("product option", "metal"),
    "weight": pgettext_lazy("product option", "weight"),
    "black": pgettext_lazy("product option", "black"),
    "white": pgettext_lazy("product option", "white"),
    "sand": pgettext_lazy("product option", "sand"),
    "navy": pgettext_lazy("product option", "navy"),
    "olive": pgettext_lazy("product option", "olive"),
    "console": pgettext_lazy("product option", "console"),
    "pc": pgettext_lazy("product option", "PC"),
    "brass": pgettext_lazy("product option", "brass"),
    "steel": pgettext_lazy("product option", "steel"),
    "paperback": pgettext_lazy("product option", "paperback"),
    "hardback": pgettext_lazy("product option", "hardback"),
    "gold": pgettext_lazy("product option", "gold"),
    "silver": pgettext_lazy("product option", "silver"),
}
_UNITS = {"ml": gettext_lazy("ml"), "g": gettext_lazy("g"), "kg": gettext_lazy("kg")}


@register.filter
def money(amount: Decimal | None) -> str:
    """An amount with its currency: ``1,234.50 SAR`` (``1,234.50 ر.س`` in Arabic)."""
    return money_text(amount)  # one money format for pages, emails and invoices


@register.filter
def with_vat(net: Decimal | None) -> Decimal | None:
    """A variant's net price as the shelf shows it."""
    return None if net is None else gross_price(net)


@register.filter
def percent(rate: Decimal) -> str:
    """``0.15`` as ``15``."""
    return f"{(Decimal(rate) * 100).normalize():f}"


@register.filter
def stock_state(stock: int) -> str:
    """ "In stock", "Only 2 left" or "Out of stock"."""
    if stock <= 0:
        return _("Out of stock")
    if stock <= LOW_STOCK:
        return ngettext("Only %(count)d left", "Only %(count)d left", stock) % {"count": stock}
    return _("In stock")


@register.filter
def stock_level(stock: int) -> str:
    """A class name for the stock state's colour."""
    return "out" if stock <= 0 else "low" if stock <= LOW_STOCK else "in"


@register.filter
def option_word(value: object) -> str:
    """An option name or value in the page's language when the store knows the word."""
    text = str(value)
    known = _OPTION_WORDS.get(text.strip().lower())
    if known is not None:
        return str(known)
    number, _space, unit = text.partition(" ")
    if unit in _UNITS and number.replace(".", "", 1).isdigit():
        return f"{number} {_UNITS[unit]}"
    return text


@register.filter
def options_text(options: dict | None) -> str:
    """A variant's options as ``size: M · colour: black``, in the page's language."""
    return " · ".join(
        f"{capfirst(option_word(k))}: {option_word(v)}" for k, v in (options or {}).items()
    )


@register.filter
def chosen_option(query, name: str) -> str:
    """The value a shopper chose for an option filter, or ""."""
    return query.chosen_option(name)


@register.filter
def first_image(product):
    """The product's first photo from the prefetched images, or None."""
    images = list(product.images.all()[:1])
    return images[0] if images else None


@register.filter
def localized(record, field: str) -> str:
    """``record.<field>_ar`` on Arabic pages, ``record.<field>_en`` otherwise."""
    language = "ar" if (get_language() or "en").startswith("ar") else "en"
    return getattr(record, f"{field}_{language}", "") or getattr(record, f"{field}_en", "")


@register.simple_tag(takes_context=True)
def catalogue(context: template.Context) -> StoreCatalogue:
    """The request's lazy catalogue: its version and the category menu."""
    return store_catalogue(context.get("request"))


@register.simple_tag(takes_context=True)
def fragment_key(context: template.Context, *parts: object) -> str:
    """What a cached catalogue fragment varies on: language, catalogue version, ``parts``."""
    version = store_catalogue(context.get("request")).version
    return ":".join([get_language() or "en", str(version), *(str(part) for part in parts)])


@register.simple_tag(takes_context=True)
def cart_item_count(context: template.Context) -> int:
    """How many items the shopper's cart holds, for the header link."""
    request = context.get("request")
    if request is None or not hasattr(request, "session"):
        return 0
    return shopper_cart_summary(request).item_count


# Option names whose values are colours, and the colours the stylesheet can paint as a dot.
_COLOUR_OPTIONS = {"colour", "color", "metal", "finish"}
SWATCH_COLOURS = {"black", "white", "sand", "navy", "olive", "gold", "silver", "brass", "steel"}


@dataclass
class SwatchValue:
    value: str
    label: str
    checked: bool
    disabled: bool
    colour: str = ""


@dataclass
class SwatchGroup:
    """One option (size, colour...) of a product, each value a radio button drawn as a swatch."""

    name: str
    label: str
    is_colour: bool
    values: list[SwatchValue] = field(default_factory=list)

    @property
    def checked_label(self) -> str:
        return next((value.label for value in self.values if value.checked), "")


@register.simple_tag
def swatch_groups(variants: list, chosen) -> list[SwatchGroup]:
    """The product's options as groups of swatches, or [] when its variants cannot be told apart
    by option values alone (then each variant is listed on its own).

    A value is disabled when no variant with it is in stock; sold-out combinations of values
    that are each sold somewhere are marked by the page's script and refused by the server.
    """
    if len(variants) < 2 or not all(variant.options for variant in variants):
        return []
    names = list(variants[0].options)
    combinations = {tuple(str(v.options.get(name, "")) for name in names) for v in variants}
    if len(combinations) != len(variants) or any(set(v.options) != set(names) for v in variants):
        return []
    picked = (chosen.options or {}) if chosen is not None else {}
    groups = []
    for name in names:
        group = SwatchGroup(
            name=name,
            label=capfirst(option_word(name)),
            is_colour=name.strip().lower() in _COLOUR_OPTIONS,
        )
        seen: list[str] = []
        for variant in variants:
            value = str(variant.options[name])
            if value not in seen:
                seen.append(value)
        for value in seen:
            in_stock = any(v.stock > 0 and str(v.options[name]) == value for v in variants)
            key = value.strip().lower()
            group.values.append(
                SwatchValue(
                    value=value,
                    label=option_word(value),
                    checked=str(picked.get(name, "")) == value,
                    disabled=not in_stock,
                    colour=key if group.is_colour and key in SWATCH_COLOURS else "",
                )
            )
        groups.append(group)
    return groups


@register.filter
def variants_data(variants: list) -> str:
    """What the page's script needs to follow the shopper's choice: each variant's options,
    shown price and stock wording, as JSON for a data-* attribute."""
    return json.dumps(
        [
            {
                "sku": variant.sku,
                "options": {str(k): str(v) for k, v in (variant.options or {}).items()},
                "price": money(with_vat(variant.price)),
                "was": money(with_vat(variant.compare_at_price)),
                "stock": max(variant.stock, 0),
                "stockText": stock_state(variant.stock),
                "stockLevel": stock_level(variant.stock),
            }
            for variant in variants
        ],
        ensure_ascii=False,
    )
