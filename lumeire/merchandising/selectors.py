"""What the home page shows now: the live hero and tiles, and when that next changes."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q
from django.utils import timezone

from lumeire.merchandising.models import Banner, Placement

MAX_TILES = 3


@dataclass(frozen=True)
class HomeBanners:
    """The hero (or None) and up to ``MAX_TILES`` tiles, each read in the current language."""

    hero: Banner | None
    tiles: tuple[Banner, ...]

    def __bool__(self) -> bool:
        return self.hero is not None or bool(self.tiles)


def _live_at(now: datetime) -> Q:
    return (
        Q(is_active=True)
        & (Q(starts_at__isnull=True) | Q(starts_at__lte=now))
        & (Q(ends_at__isnull=True) | Q(ends_at__gt=now))
    )


def home_banners(*, now: datetime | None = None) -> HomeBanners:
    """The hero and tiles shown at ``now`` (default: this moment), in position order; one query."""
    moment = now or timezone.now()
    live = list(
        Banner.objects.filter(_live_at(moment))
        .select_related("link_category", "link_product")
        .order_by("position", "id")
    )
    heroes = [banner for banner in live if banner.placement == Placement.HERO]
    tiles = [banner for banner in live if banner.placement == Placement.TILE]
    return HomeBanners(hero=heroes[0] if heroes else None, tiles=tuple(tiles[:MAX_TILES]))


def banner_schedule_times() -> tuple[float, ...]:
    """Every start and end of the active banners, as sorted Unix timestamps (one query)."""
    rows = (
        Banner.objects.filter(is_active=True)
        .filter(Q(starts_at__isnull=False) | Q(ends_at__isnull=False))
        .values_list("starts_at", "ends_at")
    )
    return tuple(sorted({moment.timestamp() for row in rows for moment in row if moment}))


def schedule_epoch(*, times: tuple[float, ...], now: datetime | None = None) -> int:
    """How many of ``times`` have passed: it changes exactly when a banner appears or goes."""
    return bisect_right(times, (now or timezone.now()).timestamp())
