"""Product photos: checked with Pillow, kept as sent, with thumbnails at fixed sizes."""

from __future__ import annotations

import io
from pathlib import PurePath

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from lumeire.catalog.errors import CatalogError, CatalogErrorCode

THUMBNAIL_SIZE = (320, 320)
DISPLAY_SIZE = (960, 960)
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}


def checked_image(upload: UploadedFile) -> Image.Image:
    """Open an upload as an image, refusing what is not a reasonable photo."""
    if upload.size and upload.size > MAX_UPLOAD_BYTES:
        raise CatalogError(CatalogErrorCode.BAD_IMAGE, _("An image can be at most 10 MB."))
    try:
        upload.seek(0)
        image = Image.open(upload)
        if image.width * image.height > MAX_PIXELS:
            raise CatalogError(CatalogErrorCode.BAD_IMAGE, _("This image has too many pixels."))
        image.verify()
        upload.seek(0)
        image = Image.open(upload)
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
        raise CatalogError(
            CatalogErrorCode.BAD_IMAGE, _("This file is not an image the store can use.")
        ) from None
    if image.format not in ACCEPTED_FORMATS:
        raise CatalogError(CatalogErrorCode.BAD_IMAGE, _("Upload a JPEG, PNG, WebP or GIF image."))
    return image


def resized(image: Image.Image, size: tuple[int, int], stem: str) -> ContentFile:
    """A JPEG copy fitted inside ``size``, upright, without the original's metadata."""
    copy = ImageOps.exif_transpose(image).convert("RGB")
    copy.thumbnail(size, Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    copy.save(buffer, format="JPEG", quality=85, optimize=True, progressive=True)
    return ContentFile(buffer.getvalue(), name=f"{PurePath(stem).stem}-{size[0]}.jpg")
