"""Redraw every stored photo without its metadata, under a name taken from its content.

Photos uploaded before were kept as sent (EXIF with GPS, device and owner; the uploader's file
name) and their smaller sizes were named after the upload. Each original is redrawn as uploads
are now (lumeire.catalog.images), its two sizes are made again from it, the rows point to the
new files, and the old files go once the change is committed.

Not reversible by design: going back would mean bringing the removed metadata back, and the old
files are deleted so that no address still serves them. Reversing leaves the clean files.
"""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.db import migrations, transaction
from PIL import Image, UnidentifiedImageError

from lumeire.catalog.images import (
    DISPLAY_SIZE,
    THUMBNAIL_SIZE,
    EncodedPhoto,
    encoded_original,
    resized,
)

PRODUCT_FOLDERS = {
    "original": "products/originals/",
    "thumbnail": "products/thumbs/",
    "display": "products/display/",
}
CATEGORY_FOLDER = "categories/"
_UNREADABLE = (OSError, UnidentifiedImageError, SyntaxError, ValueError, Image.DecompressionBombError)


def _opened(name: str) -> Image.Image | None:
    if not name or not default_storage.exists(name):
        return None
    try:
        with default_storage.open(name, "rb") as stored:
            image = Image.open(stored)
            image.load()
            return image
    except _UNREADABLE:
        return None


def _stored(folder: str, photo: EncodedPhoto) -> str:
    name = folder + photo.name
    if not default_storage.exists(name):
        default_storage.save(name, photo.as_file())
    return name


def _redrawn_product_photos(names: dict[str, str]) -> dict[str, str]:
    """The new names of one row's three files (each file left alone if it cannot be read)."""
    new = dict(names)
    original = _opened(names["original"])
    if original is not None:
        new["original"] = _stored(PRODUCT_FOLDERS["original"], encoded_original(original))
        sources = {"thumbnail": original, "display": original}
    else:
        sources = {size: _opened(names[size]) for size in ("thumbnail", "display")}
    for size, box in (("thumbnail", THUMBNAIL_SIZE), ("display", DISPLAY_SIZE)):
        if sources[size] is not None:
            new[size] = _stored(PRODUCT_FOLDERS[size], resized(sources[size], box))
    return new


def redraw_photos(apps, schema_editor) -> None:
    ProductImage = apps.get_model("catalog", "ProductImage")
    Category = apps.get_model("catalog", "Category")
    fields = tuple(PRODUCT_FOLDERS)
    old_names: set[str] = set()
    done: dict[tuple[str, str, str], dict[str, str]] = {}
    rows = ProductImage.objects.order_by("pk").values_list("pk", *fields)
    for pk, *current in rows.iterator():
        names = dict(zip(fields, (name or "" for name in current), strict=True))
        key = (names["original"], names["thumbnail"], names["display"])
        if key not in done:  # demo stores share one file among many products
            done[key] = _redrawn_product_photos(names)
        new = done[key]
        if new != names:
            ProductImage.objects.filter(pk=pk).update(**new)
            old_names |= {name for name in names.values() if name}
    redrawn_categories: dict[str, str] = {}
    for pk, name in Category.objects.exclude(image="").values_list("pk", "image").iterator():
        if name not in redrawn_categories:
            image = _opened(name)
            redrawn_categories[name] = (
                _stored(CATEGORY_FOLDER, encoded_original(image)) if image is not None else name
            )
        if redrawn_categories[name] != name:
            Category.objects.filter(pk=pk).update(image=redrawn_categories[name])
            old_names.add(name)

    still_used = set(Category.objects.values_list("image", flat=True))
    for field in fields:
        still_used |= set(ProductImage.objects.values_list(field, flat=True))
    unused = sorted(old_names - still_used)

    def delete_old_files() -> None:
        for name in unused:
            default_storage.delete(name)

    # Only once the rows point at the new files for good.
    transaction.on_commit(delete_old_files, using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0003_verbose_names")]

    operations = [
        migrations.RunPython(redraw_photos, migrations.RunPython.noop, elidable=False),
    ]
