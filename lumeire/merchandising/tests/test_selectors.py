"""The home page's banners now: live ones only, in position order, in one query."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from lumeire.merchandising.models import Placement
from lumeire.merchandising.selectors import (
    banner_schedule_times,
    home_banners,
    schedule_epoch,
)
from lumeire.merchandising.tests.factories import make_banner

pytestmark = pytest.mark.django_db
HOUR = timedelta(hours=1)


def test_a_banner_shows_only_between_its_start_and_its_end():
    now = timezone.now()
    banner = make_banner(starts_at=now + HOUR, ends_at=now + 3 * HOUR)

    assert home_banners(now=now).hero is None
    assert home_banners(now=now + HOUR).hero == banner  # from its start, inclusive
    assert home_banners(now=now + 2 * HOUR).hero == banner
    assert home_banners(now=now + 3 * HOUR).hero is None  # gone at its end
    assert not home_banners(now=now + 4 * HOUR)


def test_a_switched_off_banner_never_shows():
    make_banner(is_active=False)
    assert not home_banners()


def test_the_first_hero_and_three_tiles_in_position_order_in_one_query(
    django_assert_num_queries,
):
    second = make_banner(position=2)
    first = make_banner(position=1)
    tiles = [make_banner(placement=Placement.TILE, position=p) for p in (4, 3, 2, 1)]

    with django_assert_num_queries(1):
        found = home_banners()
        assert found.hero == first != second
        assert list(found.tiles) == [tiles[3], tiles[2], tiles[1]]
        assert [tile.url for tile in found.tiles] == [None, None, None]  # no query either


def test_the_words_follow_the_current_language():
    make_banner(headline_en="Oud for the season", headline_ar="عود لهذا الموسم")
    with translation.override("ar"):
        hero = home_banners().hero
        assert (hero.headline, hero.alt) == ("عود لهذا الموسم", hero.alt_ar)
    with translation.override("en"):
        assert home_banners().hero.headline == "Oud for the season"


def test_the_schedule_epoch_moves_exactly_at_each_start_and_end():
    now = timezone.now()
    make_banner(starts_at=now + HOUR, ends_at=now + 2 * HOUR)
    make_banner()  # no schedule: no time of its own
    times = banner_schedule_times()

    assert len(times) == 2
    epochs = [
        schedule_epoch(times=times, now=moment)
        for moment in (now, now + HOUR - timedelta(seconds=1), now + HOUR, now + 2 * HOUR)
    ]
    assert epochs == [0, 0, 1, 2]
