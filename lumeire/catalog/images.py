"""Product and category photos: checked, redrawn from their pixels alone, named by their content.

A camera's file says where it was taken (GPS), with what device, sometimes by whom, and its
name often says more. None of it may reach the shop's pages: every upload is turned upright by
its EXIF orientation, its colours are brought to sRGB, and it is encoded anew with no metadata
at all (no EXIF, GPS, XMP, ICC profile or comments). The stored name is the SHA-256 of the
stored bytes, never the uploader's file name; the same picture uploaded twice is stored once.

Photos live in the "default" storage: MEDIA_ROOT on this machine, or the shared bucket when
LUMEIRE_STORAGE_URL names one (config/storage_url.py). Either way the store's own media view
streams them (``open_photo``), so every node answers for every photo.
"""

from __future__ import annotations

import hashlib
import io
import posixpath
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.core.exceptions import SuspiciousOperation
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.files.uploadedfile import UploadedFile
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext as _
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from lumeire.catalog.errors import CatalogError, CatalogErrorCode

THUMBNAIL_SIZE = (320, 320)
DISPLAY_SIZE = (960, 960)
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
# Colour spaces littleCMS can read a photo's own profile from.
_PROFILED_MODES = {"RGB", "RGBA", "CMYK", "L"}
_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
# Only pictures are served from uploads: a file that arrived named .html or .svg never is.
SERVED_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
    ".gif": "image/gif",
}


@dataclass(frozen=True)
class EncodedPhoto:
    """A photo's new bytes and the name they are stored under."""

    content: bytes
    name: str  # "<sha256 of content>.<jpg|png>"

    def as_file(self) -> ContentFile:
        return ContentFile(self.content, name=self.name)


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


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in image.info


def bare_pixels(image: Image.Image) -> Image.Image:
    """The picture alone: upright, in sRGB, RGB or RGBA, with an empty metadata record."""
    upright = ImageOps.exif_transpose(image) or image
    mode = "RGBA" if _has_alpha(upright) else "RGB"
    icc_profile = upright.info.get("icc_profile")
    picture = None
    if icc_profile:
        source = upright if upright.mode in _PROFILED_MODES else upright.convert(mode)
        try:
            picture = ImageCms.profileToProfile(
                source,
                ImageCms.ImageCmsProfile(io.BytesIO(icc_profile)),
                _SRGB,
                outputMode=mode,
            )
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            picture = None  # an unreadable profile is dropped; the colours are read as sRGB
    if picture is None:
        picture = upright.convert(mode)
    # convert() and the colour transform copy the source's info (comments, EXIF, XMP, ICC);
    # a copy of the pixels alone carries nothing else into the encoder.
    bare = Image.frombytes(picture.mode, picture.size, picture.tobytes())
    return bare


def _named(content: bytes, extension: str) -> EncodedPhoto:
    return EncodedPhoto(content, f"{hashlib.sha256(content).hexdigest()}.{extension}")


def encoded_original(image: Image.Image) -> EncodedPhoto:
    """The full-size photo as the shop serves it: PNG where it is transparent, JPEG otherwise."""
    picture = bare_pixels(image)
    buffer = io.BytesIO()
    if picture.mode == "RGBA":
        picture.save(buffer, format="PNG", optimize=True)
        return _named(buffer.getvalue(), "png")
    picture.save(buffer, format="JPEG", quality=90, optimize=True, progressive=True)
    return _named(buffer.getvalue(), "jpg")


def resized(image: Image.Image, size: tuple[int, int]) -> EncodedPhoto:
    """A JPEG copy fitted inside ``size``, upright, without the original's metadata."""
    picture = bare_pixels(image).convert("RGB")
    picture.thumbnail(size, Image.Resampling.LANCZOS)
    picture.info = {}
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", quality=85, optimize=True, progressive=True)
    return _named(buffer.getvalue(), "jpg")


def store_photo(field_file: FieldFile, photo: EncodedPhoto) -> None:
    """Point ``field_file`` at ``photo``, writing it unless the same bytes are stored already."""
    path = field_file.field.generate_filename(field_file.instance, photo.name)
    if field_file.storage.exists(path):
        field_file.name = path
        return
    field_file.save(photo.name, photo.as_file(), save=False)


@dataclass(frozen=True)
class StoredPhoto:
    """A stored photo opened for serving: read it as a stream, then close it."""

    file: File
    size: int
    content_type: str
    etag: str


def _servable_name(name: str) -> str | None:
    """``name`` when it is a plain relative path to a picture, else None: no ``..``, no
    absolute path, no backslash or control character, nothing but the picture suffixes."""
    if not name or len(name) > 255 or any(ord(char) < 32 or char == "\\" for char in name):
        return None
    if name.startswith("/") or posixpath.normpath(name) != name:
        return None
    if any(part in ("", ".", "..") for part in name.split("/")):
        return None
    if PurePosixPath(name).suffix.lower() not in SERVED_TYPES:
        return None
    return name


def open_photo(name: str) -> StoredPhoto | None:
    """The stored photo ``name`` opened as a stream, or None when there is no such picture.

    Raises OSError when the storage cannot be reached (the caller answers 503, not 404).
    """
    clean = _servable_name(name)
    if clean is None:
        return None
    try:
        stored = storages["default"].open(clean, "rb")
        size = stored.size
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError, SuspiciousOperation):
        return None
    # A new picture gets a new name (its content's hash), so name and size identify its bytes.
    tag = hashlib.sha256(f"{clean}\n{size}".encode()).hexdigest()[:32]
    return StoredPhoto(
        file=stored,
        size=size,
        content_type=SERVED_TYPES[PurePosixPath(clean).suffix.lower()],
        etag=f'"{tag}"',
    )
