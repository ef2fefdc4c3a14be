"""Banners for tests, made through the merchandising service."""

from __future__ import annotations

import io
import itertools

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from lumeire.merchandising.models import Banner, Placement
from lumeire.merchandising.services import banner_save

_serial = itertools.count(1)


def picture(name: str = "banner.png", size: tuple[int, int] = (1200, 600)) -> SimpleUploadedFile:
    """A small real PNG drawn with Pillow."""
    buffer = io.BytesIO()
    Image.new("RGB", size, (32, 96, 160)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def make_banner(*, placement: str = Placement.HERO, **values) -> Banner:
    number = next(_serial)
    banner = Banner(
        placement=placement,
        headline_en=values.pop("headline_en", f"Headline {number}"),
        headline_ar=values.pop("headline_ar", f"عنوان {number}"),
        alt_en=values.pop("alt_en", f"Picture {number}"),
        alt_ar=values.pop("alt_ar", f"صورة {number}"),
        **values,
    )
    if not banner.image:
        banner.image = picture()
    return banner_save(banner=banner)
