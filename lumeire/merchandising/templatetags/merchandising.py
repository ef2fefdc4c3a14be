"""``{% home_hero %}``: the home page's live hero and banner tiles, in the current language."""

from __future__ import annotations

from django import template

from lumeire.merchandising.selectors import home_banners
from lumeire.merchandising.services import LARGE_WIDTH, SMALL_WIDTH

register = template.Library()


@register.inclusion_tag("merchandising/_home_hero.html")
def home_hero() -> dict:
    """The hero (headline as an h2, under the page's own h1) and up to three tiles."""
    banners = home_banners()
    return {
        "banners": banners,
        "large_width": LARGE_WIDTH,
        "small_width": SMALL_WIDTH,
        # Tiles sit under the hero's heading, or take its level when there is no hero.
        "tile_heading": "h3" if banners.hero else "h2",
    }
