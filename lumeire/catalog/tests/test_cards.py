"""Product cards: read in two queries whatever the list's length, cached by catalogue version,
retired by any catalogue change, holding a picture's storage name rather than an address."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.cache import caches
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from lumeire.catalog.cards import product_cards
from lumeire.catalog.models import Product
from lumeire.catalog.services import product_image_add, variant_save
from lumeire.catalog.tests.factories import make_category, make_product

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_cards_cached():
    caches["default"].clear()


def photo_upload() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 60, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile("lamp.png", buffer.getvalue(), content_type="image/png")


def product_reads(action) -> int:
    """How many queries ``action`` made that read products, variants or photos."""
    with CaptureQueriesContext(connection) as seen:
        action()
    tables = ('"catalog_product"', '"catalog_variant"', '"catalog_productimage"')
    return sum(any(t in q["sql"] for t in tables) for q in seen.captured_queries)


def test_cards_come_in_the_order_asked_and_leave_out_what_is_gone():
    category = make_category()
    first, second, third = (make_product(category=category) for _ in range(3))
    gone = third.pk
    Product.objects.filter(pk=gone).delete()

    cards = product_cards([second.pk, gone, first.pk])

    assert [card.pk for card in cards] == [second.pk, first.pk]
    assert cards[0].slug == second.slug and cards[0].name_en == second.name_en


def test_cards_are_read_in_two_queries_then_from_the_cache():
    category = make_category()
    ids = [make_product(category=category).pk for _ in range(12)]

    assert product_reads(lambda: product_cards(ids)) == 2
    assert product_reads(lambda: product_cards(ids)) == 0
    assert product_reads(lambda: product_cards(ids[:3])) == 0


def test_a_card_says_from_only_when_live_variants_differ_in_price():
    category = make_category()
    one_price = make_product(
        category=category,
        variants=[{"sku": "ONE-S", "price": "50.00"}, {"sku": "ONE-M", "price": "50.00"}],
    )
    two_prices = make_product(
        category=category,
        variants=[{"sku": "TWO-S", "price": "50.00"}, {"sku": "TWO-M", "price": "70.00"}],
    )

    same, varied = product_cards([one_price.pk, two_prices.pk])

    assert not same.from_price and varied.from_price
    assert varied.min_price == two_prices.min_price


def test_a_catalogue_change_retires_every_card(django_capture_on_commit_callbacks):
    category = make_category()
    product = make_product(category=category, price="100.00")
    before = product_cards([product.pk])[0]

    variant = product.variants.get()
    variant.price = Decimal("200.00")
    with django_capture_on_commit_callbacks(execute=True):
        variant_save(variant=variant)

    after = product_cards([product.pk])[0]
    assert after.min_price > before.min_price
    assert after.min_price == Product.objects.get(pk=product.pk).min_price


def test_a_card_keeps_the_pictures_storage_name_and_makes_its_address_when_shown(
    settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    product = make_product(category=make_category())
    image = product_image_add(product=product, upload=photo_upload())

    card = product_cards([product.pk])[0]

    assert card.picture == image.thumbnail.name
    assert card.picture_url == image.thumbnail.url
    settings.MEDIA_URL = "/elsewhere/"
    assert card.picture_url.startswith("/elsewhere/")


def test_a_card_without_a_picture_has_no_address():
    card = product_cards([make_product(category=make_category()).pk])[0]
    assert card.picture == "" and card.picture_url == ""
