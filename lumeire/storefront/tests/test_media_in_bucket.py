"""Photos in the shared bucket: stored there by the catalogue's service, nothing on this node's
disk, streamed by any node's media view under the pages' own address; bad paths 404, and a
bucket that does not answer is a 503 that no browser keeps."""

from __future__ import annotations

import io
import time

import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from lumeire.catalog.services import category_save, product_image_add
from lumeire.catalog.tests.factories import make_category, make_product
from lumeire.core.tests.s3server import use_bucket_storages
from lumeire.storefront.tests.shop import photo

pytestmark = pytest.mark.django_db


def transparent_png(name: str) -> SimpleUploadedFile:
    """A picture with see-through pixels: the store keeps it a PNG."""
    buffer = io.BytesIO()
    Image.new("RGBA", (30, 30), (10, 120, 90, 100)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def test_an_uploaded_photo_is_stored_in_the_bucket_and_served_by_the_media_view(
    s3, bucket, settings
):
    product = make_product(category=make_category())
    record = product_image_add(product=product, upload=photo("IMG_0001.png", "teal"))

    stored = s3.objects(bucket)
    keys = {f"media/{record.original.name}", f"media/{record.thumbnail.name}"}
    assert keys <= set(stored)
    assert all(key.startswith("media/products/") for key in stored)
    assert not settings.MEDIA_ROOT.exists()  # nothing on this node's disk
    assert record.thumbnail.url == f"/media/{record.thumbnail.name}"  # the store's own address

    response = Client().get(record.thumbnail.url)

    assert response.status_code == 200
    assert response.streaming
    body = b"".join(response.streaming_content)
    assert body == stored[f"media/{record.thumbnail.name}"]
    assert body[:2] == b"\xff\xd8"
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Length"] == str(len(body))
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert directives == {"public", "max-age=31536000", "immutable"}
    original = Client().get(record.original.url)
    assert b"".join(original.streaming_content) == stored[f"media/{record.original.name}"]


def test_another_node_with_an_empty_disk_serves_the_same_photo(s3, bucket, settings, tmp_path):
    category = make_category()
    category.image = transparent_png("shelf.png")
    category_save(category=category)
    url = category.image.url
    assert url.endswith(".png")

    # Another node: its own (empty) MEDIA_ROOT, its storages made anew from the same URL.
    settings.MEDIA_ROOT = tmp_path / "other-node-media"
    use_bucket_storages(settings, s3, bucket)
    response = Client().get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content)[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_browser_holding_the_photo_gets_304(bucket):
    record = product_image_add(product=make_product(category=make_category()), upload=photo())
    first = Client().get(record.display.url)
    etag = first["ETag"]

    again = Client().get(record.display.url, headers={"if-none-match": etag})

    assert etag.startswith('"') and len(etag) > 10
    assert again.status_code == 304
    assert again["ETag"] == etag
    assert "immutable" in again["Cache-Control"]


@pytest.mark.parametrize(
    "path",
    [
        "/media/../config/settings.py",
        "/media/%2e%2e/var/secrets.env",
        "/media/products/../../../etc/passwd",
        "/media/products/thumbs/missing.jpg",
        "/media/products/originals/page.html",
        "/media/products//thumbs/a.jpg",
        "/media/products/thumbs/..%5c..%5ca.jpg",
        "/media/exports/x.jpg",
    ],
)
def test_bad_paths_and_other_objects_are_404(s3, bucket, path):
    s3.client().put_object(
        Bucket=bucket, Key="media/products/originals/page.html", Body=b"<script>alert(1)</script>"
    )
    # Outside the photos' folder of the bucket: never reachable through /media/.
    s3.client().put_object(Bucket=bucket, Key="exports/x.jpg", Body=b"\xff\xd8 not a photo")

    response = Client().get(path)

    assert response.status_code == 404
    assert "immutable" not in response.get("Cache-Control", "")


def test_a_bucket_that_does_not_answer_is_a_503_never_cached(settings, s3):
    # A port nothing listens on: the storage is down, the picture may well exist.
    url = s3.bucket_url("unreachable").replace(s3.endpoint_url, "http://127.0.0.1:9")
    from config.storage_url import storages_from_url

    settings.STORAGES = {**settings.STORAGES, **storages_from_url(url)}
    started = time.monotonic()

    response = Client().get("/media/products/thumbs/abc.jpg")

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "immutable" not in response.get("Cache-Control", "")
    assert time.monotonic() - started < 10
    assert storages["default"].url("products/a.jpg") == "/media/products/a.jpg"
