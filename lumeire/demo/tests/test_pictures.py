"""Demo pictures show what the product is, drawn as shapes, with no letters on them."""

from __future__ import annotations

import io
import random

import pytest
from PIL import Image, ImageDraw

from lumeire.demo.catalog import SHELVES, draw_product_image
from lumeire.demo.pictures import CATEGORY_DRAWINGS, DRAWINGS, draw_picture, drawing_for, gift


@pytest.fixture
def no_text(monkeypatch):
    """Any attempt to write letters on a picture fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("a demo picture must not carry text")

    monkeypatch.setattr(ImageDraw.ImageDraw, "text", refuse)
    monkeypatch.setattr(ImageDraw.ImageDraw, "multiline_text", refuse)


def test_every_noun_of_the_demo_catalogue_has_a_drawing_of_its_own():
    nouns = [noun for shelf in SHELVES for noun, _arabic in shelf.nouns]

    assert [noun for noun in nouns if drawing_for(noun) is gift] == []
    top = {shelf.path[0][0] for shelf in SHELVES}
    assert top <= set(CATEGORY_DRAWINGS)


def test_product_pictures_are_drawn_without_letters(no_text):
    for number, noun in enumerate(DRAWINGS):
        picture = Image.open(io.BytesIO(draw_product_image(random.Random(number), noun)))
        assert picture.size == (800, 800) and picture.format == "PNG"


def test_different_kinds_look_different_and_the_same_seed_draws_the_same():
    bottle = draw_product_image(random.Random(1), "oud perfume")
    dress = draw_product_image(random.Random(1), "dress")

    assert bottle != dress
    assert bottle == draw_product_image(random.Random(1), "oud perfume")


def test_a_picture_is_mostly_its_soft_ground_with_the_object_in_the_middle():
    picture = Image.open(io.BytesIO(draw_picture(DRAWINGS["lantern"], random.Random(3), size=200)))
    corner, middle = picture.getpixel((4, 4)), picture.getpixel((100, 100))

    assert min(corner) > 200  # a light, pastel ground
    assert corner != middle
