"""Banner changes. The back office and the demo loader write banners only through these."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from lumeire.catalog.errors import CatalogError
from lumeire.catalog.images import checked_image, resized, store_photo
from lumeire.catalog.services import catalog_changed
from lumeire.merchandising.errors import MerchandisingError, MerchandisingErrorCode
from lumeire.merchandising.models import Banner

# The hero fills a wide screen at twice its pixel density; phones and tiles take the small copy.
LARGE_SIZE = (1920, 1080)
SMALL_SIZE = (800, 800)
LARGE_WIDTH, SMALL_WIDTH = LARGE_SIZE[0], SMALL_SIZE[0]


def _refusal(error: ValidationError) -> MerchandisingError:
    field_errors = {
        field: [str(message) for message in messages]
        for field, messages in error.message_dict.items()
    }
    first = next(iter(field_errors.values()))[0]
    return MerchandisingError(
        MerchandisingErrorCode.INVALID_INPUT, first, field_errors=field_errors
    )


def _image_redrawn(banner: Banner) -> None:
    """A new upload (not yet written) is redrawn without metadata, in two sizes, named by its
    content, as product photos are (docs/decisions/0018-photos-re-encoded.md)."""
    image = banner.image
    if not image or getattr(image, "_committed", True):
        return
    try:
        picture = checked_image(image.file)
    except CatalogError as error:
        raise MerchandisingError(
            MerchandisingErrorCode.BAD_IMAGE, error.message, field_errors={"image": [error.message]}
        ) from None
    # Start from empty fields: nothing of the upload, its name included, is written.
    banner.image = None
    store_photo(banner.image, resized(picture, LARGE_SIZE))
    banner.image_small = None
    store_photo(banner.image_small, resized(picture, SMALL_SIZE))


@transaction.atomic
def banner_save(*, banner: Banner) -> Banner:
    """Check and save a banner, its picture redrawn; cached home pages retire once it commits."""
    try:
        banner.full_clean()
    except ValidationError as error:
        raise _refusal(error) from None
    _image_redrawn(banner)
    banner.save()
    catalog_changed()
    return banner


@transaction.atomic
def banner_delete(*, banner: Banner) -> None:
    """Remove a banner from the home page for good (its picture may be shared, so it stays)."""
    banner.delete()
    catalog_changed()
