"""Photos reach the shop without their metadata and without the uploader's file name.

A camera JPEG carrying GPS coordinates, the device, the owner, XMP, an ICC profile and a comment
is uploaded; what the shop then serves at /media/ holds none of it, stands upright, and is named
by the SHA-256 of its own bytes. Photos stored before are redrawn the same way by migration 0004.
"""

from __future__ import annotations

import hashlib
import io
import re
from importlib import import_module
from pathlib import Path, PurePosixPath

import pytest
from django.apps import apps
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from PIL import ExifTags, Image, ImageCms

from lumeire.catalog.errors import CatalogError
from lumeire.catalog.models import Category, ProductImage
from lumeire.catalog.services import category_save, product_image_add
from lumeire.catalog.tests.factories import make_category, make_product

pytestmark = pytest.mark.django_db

OWNER = "Sara Alotaibi"
DEVICE = "PhoneMaker Z9"
XMP = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description about="home"/></x:xmpmeta>'
COMMENT = b"shot at home"
_HASH_NAME = re.compile(r"^[0-9a-f]{64}\.(jpg|png)$")
# Where a file could still hold metadata: the markers and chunks the encoders write it into.
_METADATA_MARKS = (
    b"Exif",
    b"ICC_PROFILE",
    b"http://ns.adobe.com/xap",
    b"xmpmeta",
    b"tEXt",
    b"iTXt",
    b"zTXt",
    b"eXIf",
    b"iCCP",
    OWNER.encode(),
    DEVICE.encode(),
    COMMENT,
)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def camera_jpeg(size: tuple[int, int] = (60, 40), orientation: int = 6) -> bytes:
    """A JPEG as a phone writes it: GPS, device, owner, orientation, XMP, ICC, a comment."""
    picture = Image.new("RGB", size, "white")
    picture.paste((200, 30, 30), (0, 0, size[0] // 2, size[1]))  # left half red
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Model] = DEVICE
    exif[ExifTags.Base.Artist] = OWNER
    exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (24.0, 42.0, 36.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (46.0, 40.0, 30.0)
    buffer = io.BytesIO()
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    picture.save(
        buffer, format="JPEG", exif=exif.tobytes(), xmp=XMP, icc_profile=srgb, comment=COMMENT
    )
    return buffer.getvalue()


def png_with_text_and_alpha() -> bytes:
    from PIL.PngImagePlugin import PngInfo

    picture = Image.new("RGBA", (30, 30), (0, 128, 0, 0))
    picture.paste((0, 128, 0, 255), (0, 0, 15, 30))
    info = PngInfo()
    info.add_text("Author", OWNER)
    info.add_itxt("Description", "kitchen table at home")
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[ExifTags.Base.Model] = DEVICE
    picture.save(buffer, format="PNG", pnginfo=info, exif=exif.tobytes())
    return buffer.getvalue()


def assert_bare(content: bytes) -> None:
    for mark in _METADATA_MARKS:
        assert mark not in content, mark
    with Image.open(io.BytesIO(content)) as picture:
        assert not picture.getexif()
        assert "icc_profile" not in picture.info and "exif" not in picture.info
        assert not {"comment", "xmp", "XML:com.adobe.xmp", "Author"} & set(picture.info)


def served(url: str) -> bytes:
    response = Client().get(url)
    assert response.status_code == 200, url
    return b"".join(response.streaming_content)


def test_the_camera_file_really_carries_gps_and_the_rest():
    content = camera_jpeg()
    with Image.open(io.BytesIO(content)) as picture:
        gps = picture.getexif().get_ifd(ExifTags.IFD.GPSInfo)
        assert gps[ExifTags.GPS.GPSLatitude] == (24.0, 42.0, 36.0)
    assert all(mark in content for mark in (b"Exif", b"ICC_PROFILE", b"xmpmeta", COMMENT))


def test_an_uploaded_camera_photo_is_served_bare_under_its_content_hash():
    product = make_product(category=make_category())
    upload = SimpleUploadedFile("IMG_Sara_home_2026.jpg", camera_jpeg(), "image/jpeg")

    record = product_image_add(product=product, upload=upload)

    for stored in (record.original, record.thumbnail, record.display):
        name = PurePosixPath(stored.name).name
        assert _HASH_NAME.match(name), stored.name
        assert "Sara" not in stored.name and "IMG" not in stored.name
        content = served(stored.url)
        assert name.split(".")[0] == hashlib.sha256(content).hexdigest()
        assert_bare(content)
    with Image.open(io.BytesIO(served(record.original.url))) as original:
        # Orientation 6 (turn right) applied: 60x40 stands as 40x60, red half now on top.
        assert original.size == (40, 60)
        top, bottom = original.getpixel((20, 5)), original.getpixel((20, 55))
        assert top[0] > 150 and top[1] < 100 and bottom[1] > 150


def test_a_transparent_png_stays_a_png_without_its_text_chunks():
    product = make_product(category=make_category())
    upload = SimpleUploadedFile("kitchen.png", png_with_text_and_alpha(), "image/png")

    record = product_image_add(product=product, upload=upload)

    assert record.original.name.endswith(".png")
    content = served(record.original.url)
    assert_bare(content)
    with Image.open(io.BytesIO(content)) as picture:
        assert picture.mode == "RGBA" and picture.getpixel((25, 5))[3] == 0


def test_a_wide_gamut_photo_is_brought_to_srgb_and_loses_its_profile():
    picture = Image.new("RGB", (20, 20), (0, 200, 0))
    wide = ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB"))
    buffer = io.BytesIO()
    try:
        picture.save(buffer, format="JPEG", icc_profile=wide.tobytes())
    except (OSError, ValueError):
        pytest.skip("Pillow cannot write this profile here")
    product = make_product(category=make_category())

    record = product_image_add(
        product=product, upload=SimpleUploadedFile("w.jpg", buffer.getvalue(), "image/jpeg")
    )

    assert_bare(served(record.original.url))


def test_the_same_photo_uploaded_twice_is_stored_once():
    product = make_product(category=make_category())
    first = product_image_add(
        product=product, upload=SimpleUploadedFile("a.jpg", camera_jpeg(), "image/jpeg")
    )
    second = product_image_add(
        product=product, upload=SimpleUploadedFile("b.jpg", camera_jpeg(), "image/jpeg")
    )

    assert first.original.name == second.original.name
    assert len(list((Path(default_storage.location) / "products" / "originals").iterdir())) == 1


def test_a_category_image_is_redrawn_too():
    category = make_category()
    category.image = SimpleUploadedFile("owner-house.jpg", camera_jpeg(), "image/jpeg")

    category_save(category=category)

    category.refresh_from_db()
    assert _HASH_NAME.match(PurePosixPath(category.image.name).name)
    assert_bare(served(category.image.url))


def test_a_category_image_that_is_not_a_photo_is_refused_on_its_field():
    category = make_category()
    category.image = SimpleUploadedFile("x.jpg", b"not a picture", "image/jpeg")

    with pytest.raises(CatalogError) as refused:
        category_save(category=category)

    assert "image" in refused.value.field_errors
    assert not Category.objects.filter(pk=category.pk).exclude(image="").exists()


def _stored_as_sent(name: str, content: bytes) -> str:
    return default_storage.save(name, io.BytesIO(content))


def test_the_migration_redraws_stored_photos_and_removes_the_old_files(
    django_capture_on_commit_callbacks,
):
    migration = import_module("lumeire.catalog.migrations.0004_photos_without_metadata")
    product = make_product(category=make_category())
    camera = camera_jpeg()
    old = {
        "original": _stored_as_sent("products/originals/IMG_Sara_home.jpg", camera),
        "thumbnail": _stored_as_sent("products/thumbs/IMG_Sara_home-320.jpg", camera),
        "display": _stored_as_sent("products/display/IMG_Sara_home-960.jpg", camera),
    }
    rows = [ProductImage.objects.create(product=product, **old, position=n) for n in range(2)]
    category = make_category()
    Category.objects.filter(pk=category.pk).update(
        image=_stored_as_sent("categories/owner-house.jpg", camera)
    )
    missing = ProductImage.objects.create(
        product=product, original="products/originals/gone.jpg", position=9
    )

    with django_capture_on_commit_callbacks(execute=True):
        migration.redraw_photos(apps, type("Editor", (), {"connection": connection})())

    for row in rows:
        row.refresh_from_db()
        for field in ("original", "thumbnail", "display"):
            stored = getattr(row, field)
            assert _HASH_NAME.match(PurePosixPath(stored.name).name), stored.name
            assert_bare(served(stored.url))
    assert rows[0].original.name == rows[1].original.name
    for name in old.values():
        assert not default_storage.exists(name)
        assert Client().get(f"/media/{name}").status_code == 404
    category.refresh_from_db()
    assert _HASH_NAME.match(PurePosixPath(category.image.name).name)
    assert not default_storage.exists("categories/owner-house.jpg")
    missing.refresh_from_db()
    assert missing.original.name == "products/originals/gone.jpg"  # nothing to redraw


def test_the_migration_has_nothing_to_undo():
    migration = import_module("lumeire.catalog.migrations.0004_photos_without_metadata")

    (operation,) = migration.Migration.operations
    assert operation.reversible
