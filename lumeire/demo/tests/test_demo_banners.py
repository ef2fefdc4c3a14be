"""The demo home page has a hero and three tiles in both languages, loaded once."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from lumeire.demo.merchandising import BANNERS, draw_banner_image, load_demo_banners
from lumeire.merchandising.models import Banner, Placement
from lumeire.merchandising.selectors import home_banners

pytestmark = pytest.mark.django_db


def test_the_demo_banners_load_once_in_both_languages_with_pictures(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path

    assert load_demo_banners() == "4 home page banners created"
    assert load_demo_banners() == "home page banners already present"

    live = home_banners()
    assert live.hero is not None and len(live.tiles) == 3
    for banner in Banner.objects.all():
        assert banner.headline_en and banner.headline_ar and banner.alt_en and banner.alt_ar
        assert banner.button_en and banner.button_ar and banner.url
        assert (tmp_path / banner.image.name).is_file()
    assert Banner.objects.filter(placement=Placement.HERO).count() == 1


def test_a_demo_picture_is_a_gradient_with_shapes_of_the_asked_size():
    spec = BANNERS[0]
    picture = Image.open(io.BytesIO(draw_banner_image(spec.colours, spec.size)))
    assert picture.size == spec.size
    assert len(picture.getcolors(maxcolors=1 << 20)) > 50  # shaded, not a flat colour
