"""The home page's live banners, in the current language: ``{% home_banners as banners %}`` reads
them (one query), then ``{% home_hero banners %}`` draws the hero and ``{% home_tiles banners %}``
the tiles, each where the page wants it."""

from __future__ import annotations

from django import template

from lumeire.merchandising.selectors import HomeBanners
from lumeire.merchandising.selectors import home_banners as live_banners
from lumeire.merchandising.services import LARGE_WIDTH, SMALL_WIDTH

register = template.Library()


@register.simple_tag
def home_banners() -> HomeBanners:
    return live_banners()


@register.inclusion_tag("merchandising/_home_hero.html")
def home_hero(banners: HomeBanners) -> dict:
    """The hero, its headline an h2 under the page's h1."""
    return {"hero": banners.hero, "large_width": LARGE_WIDTH, "small_width": SMALL_WIDTH}


@register.inclusion_tag("merchandising/_home_tiles.html")
def home_tiles(banners: HomeBanners) -> dict:
    """Up to three tiles, each headline an h2 of its own."""
    return {"tiles": banners.tiles}
