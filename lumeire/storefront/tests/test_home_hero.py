"""The home page's hero and banner tiles: in both languages, accessible, on schedule, and never
stale after a staff edit, even from the whole-page cache."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from freezegun import freeze_time

from lumeire.merchandising.services import banner_save
from lumeire.merchandising.tests.factories import HERO_TEXT_EN, make_banner, make_home_banners
from lumeire.storefront.tests.shop import page, text_of, with_class

pytestmark = pytest.mark.django_db


def _hero(shop) -> None:
    make_home_banners(shop.home)


def test_the_hero_and_three_tiles_show_in_english_under_the_page_heading(shop):
    _hero(shop)
    document = page(Client(), "/en/")

    assert text_of(document, "h2", "home-hero__headline") == ["Oud for the season"]
    assert text_of(document, "p", "home-hero__text") == [HERO_TEXT_EN]
    [button] = with_class(document, "a", "home-hero__button")
    assert (button.attrs["href"], button.text.strip()) == ("/en/c/home/", "Shop home")
    [image] = with_class(document, "img", "home-hero__image")
    assert image.attrs["alt"] == "Amber light on round shapes"
    assert image.attrs["src"].startswith("/media/banners/")
    assert text_of(document, "h2", "banner-tile__headline") == ["Lanterns", "Abayas", "Headphones"]
    links = with_class(document, "a", "banner-tile__link")
    assert {link.attrs["href"] for link in links} == {"/en/search/?q=oud"}
    # The page keeps its own h1 (for screen readers, first); the hero's headline and each
    # tile's sit under it as h2s.
    [heading] = document.find_all("h1")
    assert "visually-hidden" in heading.attrs["class"]
    main = Client().get("/en/").content.decode().split("<main", 1)[1]
    assert main.index("<h1") < main.index("<h2")


def test_the_hero_shows_in_arabic_with_arabic_links(shop):
    _hero(shop)
    document = page(Client(), "/ar/")

    assert text_of(document, "h2", "home-hero__headline") == ["عود لهذا الموسم"]
    [image] = with_class(document, "img", "home-hero__image")
    assert image.attrs["alt"] == "ضوء كهرماني على أشكال مستديرة"
    [button] = with_class(document, "a", "home-hero__button")
    assert (button.attrs["href"], button.text.strip()) == ("/ar/c/home/", "تسوّق المنزل")
    assert text_of(document, "h2", "banner-tile__headline") == ["فوانيس", "عبايات", "سماعات"]
    [section] = with_class(document, "section", "home-hero")
    assert section.attrs["aria-label"] == "أبرز ما في المتجر"


def test_without_banners_the_home_page_has_no_hero_section(shop):
    document = page(Client(), "/en/")
    assert with_class(document, "section", "home-hero") == []


def test_a_staff_edit_shows_at_once_on_the_cached_home_page(
    shop, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        banner = make_banner(headline_en="Oud for the season")
    visitor = Client()
    assert text_of(page(visitor, "/en/"), "h2", "home-hero__headline") == ["Oud for the season"]
    assert text_of(page(Client(), "/en/"), "h2", "home-hero__headline") == ["Oud for the season"]

    banner.headline_en = "Amber nights"
    with django_capture_on_commit_callbacks(execute=True):
        banner_save(banner=banner)

    assert text_of(page(Client(), "/en/"), "h2", "home-hero__headline") == ["Amber nights"]


def test_a_scheduled_banner_appears_and_goes_on_time_without_an_edit(shop):
    start = timezone.now().replace(microsecond=0) + timedelta(minutes=2)
    make_banner(headline_en="Weekend sale", starts_at=start, ends_at=start + timedelta(minutes=3))

    with freeze_time(start - timedelta(minutes=1)) as clock:
        # Cached for every visitor without a session, for longer than the wait below.
        assert with_class(page(Client(), "/en/"), "section", "home-hero") == []
        assert with_class(page(Client(), "/en/"), "section", "home-hero") == []

        clock.tick(timedelta(minutes=1))  # the start, to the second
        headlines = text_of(page(Client(), "/en/"), "h2", "home-hero__headline")
        assert headlines == ["Weekend sale"]

        clock.tick(timedelta(minutes=3))  # the end
        assert with_class(page(Client(), "/en/"), "section", "home-hero") == []


def test_a_signed_in_shopper_sees_the_hero_too(shop):
    _hero(shop)
    from lumeire.accounts.tests.factories import make_customer

    client = Client()
    client.force_login(make_customer(), backend="lumeire.accounts.backends.LoginBackend")
    document = page(client, "/en/")
    assert text_of(document, "h2", "home-hero__headline") == ["Oud for the season"]
