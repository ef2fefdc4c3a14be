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


HERO_TEXT_EN = "Oils, bakhoor and perfumes chosen for cool evenings. Every price includes VAT."
HERO_TEXT_AR = "دهن العود والبخور والعطور مختارة للأمسيات الباردة. كل الأسعار تشمل الضريبة."
TILES = [("Lanterns", "فوانيس"), ("Abayas", "عبايات"), ("Headphones", "سماعات"), ("Rugs", "سجاد")]


def make_home_banners(link_category) -> None:
    """The home page as the demo has it: a hero with a sentence and a button to
    ``link_category``, and four tiles (the page shows three) linking to a search."""
    make_banner(
        headline_en="Oud for the season",
        headline_ar="عود لهذا الموسم",
        text_en=HERO_TEXT_EN,
        text_ar=HERO_TEXT_AR,
        button_en="Shop home",
        button_ar="تسوّق المنزل",
        link_category=link_category,
        alt_en="Amber light on round shapes",
        alt_ar="ضوء كهرماني على أشكال مستديرة",
    )
    for position, (english, arabic) in enumerate(TILES):
        make_banner(
            placement=Placement.TILE,
            position=position,
            headline_en=english,
            headline_ar=arabic,
            link_path="/search/?q=oud",
            button_en="See more",
            button_ar="المزيد",
        )
