"""Saving a banner: its picture redrawn like a product photo, refusals that say why, and the
cached catalogue pages retired."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from lumeire.catalog.services import catalog_version
from lumeire.merchandising.errors import MerchandisingError, MerchandisingErrorCode
from lumeire.merchandising.models import Banner
from lumeire.merchandising.services import banner_delete, banner_save
from lumeire.merchandising.tests.factories import make_banner

pytestmark = pytest.mark.django_db


def _photo_with_gps() -> SimpleUploadedFile:
    image = Image.new("RGB", (2400, 1200), (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # the camera's maker
    exif[0x8825] = {1: "N", 2: (24.0, 42.0, 0.0)}  # a GPS position
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif.tobytes(), comment=b"taken at home")
    return SimpleUploadedFile("IMG_home_of_sara.jpg", buffer.getvalue(), content_type="image/jpeg")


def test_the_picture_is_redrawn_without_metadata_named_by_content_in_two_sizes(settings):
    banner = make_banner(image=_photo_with_gps())

    for field in (banner.image, banner.image_small):
        stored = (settings.MEDIA_ROOT / field.name).read_bytes()
        assert "sara" not in field.name
        assert field.name.rsplit("/", 1)[1] == f"{hashlib.sha256(stored).hexdigest()}.jpg"
        picture = Image.open(io.BytesIO(stored))
        assert not picture.getexif() and "comment" not in picture.info
    assert Image.open(banner.image.path).size == (1920, 960)
    assert Image.open(banner.image_small.path).size == (800, 400)


def test_a_file_that_is_not_a_picture_is_refused_on_the_image_field():
    banner = Banner(headline_en="Oud", headline_ar="عود", alt_en="a", alt_ar="ب")
    banner.image = SimpleUploadedFile("notes.png", b"not a picture", content_type="image/png")

    with pytest.raises(MerchandisingError) as refused:
        banner_save(banner=banner)

    assert refused.value.code == MerchandisingErrorCode.BAD_IMAGE
    assert refused.value.field_errors == {"image": ["This file is not an image the store can use."]}
    assert not Banner.objects.exists()


def test_a_schedule_out_of_order_is_refused_and_nothing_is_saved():
    start = timezone.now()
    with pytest.raises(MerchandisingError) as refused:
        make_banner(starts_at=start, ends_at=start - timedelta(days=1))

    assert refused.value.field_errors == {"ends_at": ["The end must come after the start."]}
    assert not Banner.objects.exists()


def test_saving_and_deleting_a_banner_retire_cached_catalogue_pages(
    django_capture_on_commit_callbacks,
):
    before = catalog_version()
    with django_capture_on_commit_callbacks(execute=True):
        banner = make_banner()
    assert catalog_version() == before + 1

    with django_capture_on_commit_callbacks(execute=True):
        banner_delete(banner=banner)
    assert catalog_version() == before + 2
    assert not Banner.objects.exists()


def test_an_unchanged_picture_is_not_redrawn_on_a_later_save():
    banner = make_banner()
    name = banner.image.name
    banner.headline_en = "Amber nights"
    banner_save(banner=banner)
    banner.refresh_from_db()
    assert banner.image.name == name and banner.headline_en == "Amber nights"
