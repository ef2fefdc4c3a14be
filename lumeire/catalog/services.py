"""Catalogue changes. Staff interfaces and the demo loader write only through these."""

from __future__ import annotations

import threading
from decimal import Decimal, InvalidOperation

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Min
from django.utils.translation import gettext as _

from lumeire.catalog.errors import CatalogError, CatalogErrorCode
from lumeire.catalog.images import (
    DISPLAY_SIZE,
    THUMBNAIL_SIZE,
    checked_image,
    encoded_original,
    resized,
    store_photo,
)
from lumeire.catalog.models import (
    CatalogueVersion,
    Category,
    Product,
    ProductImage,
    SearchSynonym,
    SearchTerm,
    Variant,
)
from lumeire.catalog.search.index import index_text, option_texts
from lumeire.catalog.search.vocabulary import renew_vocabulary
from lumeire.core.money import gross_price

_VERSION_ROW = 1


def catalog_changed() -> None:
    """Retire every cached catalogue page and fragment, on every node, once the edit commits.

    Cached pages and fragments are keyed by the catalogue version. Bumping it before the commit
    would let a page read in between (old rows, new number) be cached under the new number and
    served for its whole lifetime; after the commit, a page read during the edit is stored
    under the number that the bump retires. Outside a transaction the bump is made at once.
    """
    transaction.on_commit(_bump_catalog_version, robust=True)


def _bump_catalog_version() -> None:
    bumped = CatalogueVersion.objects.filter(pk=_VERSION_ROW).update(number=F("number") + 1)
    if not bumped:  # a database without the row (emptied by hand): it starts again
        CatalogueVersion.objects.get_or_create(pk=_VERSION_ROW, defaults={"number": 2})
    _version_in_request.number = None


# A request reads the version once, for its page, its fragments and its product cards alike:
# one number for the whole response. Outside a request (tasks, commands) it is read each time.
_version_in_request = threading.local()


def catalog_version_request_started(**kwargs: object) -> None:
    _version_in_request.active = True
    _version_in_request.number = None


def catalog_version_request_finished(**kwargs: object) -> None:
    _version_in_request.active = False
    _version_in_request.number = None


def catalog_version() -> int:
    """The number cached catalogue fragments and cards are keyed by (one query by primary key,
    once per request)."""
    number = getattr(_version_in_request, "number", None)
    if number is not None:
        return number
    number = (
        CatalogueVersion.objects.filter(pk=_VERSION_ROW).values_list("number", flat=True).first()
    ) or 1
    if getattr(_version_in_request, "active", False):
        _version_in_request.number = number
    return number


def _place_in_tree(category: Category) -> None:
    parent = category.parent
    ancestor = parent
    while ancestor is not None:
        if ancestor.pk == category.pk:
            raise CatalogError(
                CatalogErrorCode.CATEGORY_CYCLE,
                _("A category cannot be placed inside itself or one of its children."),
                field_errors={"parent": [_("Choose a category outside this branch.")]},
            )
        ancestor = ancestor.parent
    category.depth = parent.depth + 1 if parent else 0
    category.path = f"{parent.path}{category.pk}/" if parent else f"{category.pk}/"


def _relist_branch(category: Category) -> None:
    """Recompute which products of a branch are listed after a category is shown or hidden."""
    ancestors = [int(i) for i in category.path.strip("/").split("/")[:-1] if i]
    hidden_above = Category.objects.filter(pk__in=ancestors, is_active=False).exists()
    branch = list(Category.objects.filter(path__startswith=category.path).order_by("path"))
    hidden: set[int] = set()
    for node in branch:
        parent_hidden = node.parent_id in hidden or (node.pk == category.pk and hidden_above)
        if parent_hidden or not node.is_active:
            hidden.add(node.pk)
    shown = [node.pk for node in branch if node.pk not in hidden]
    Product.objects.filter(category_id__in=hidden).update(is_listed=False)
    Product.objects.filter(category_id__in=shown, is_active=True).update(is_listed=True)
    Product.objects.filter(category_id__in=shown, is_active=False).update(is_listed=False)


def _category_image_cleaned(category: Category) -> None:
    # A new upload (not yet written) is redrawn without metadata and named by its content.
    image = category.image
    if not image or getattr(image, "_committed", True):
        return
    try:
        picture = checked_image(image.file)
    except CatalogError as error:
        raise CatalogError(
            CatalogErrorCode.BAD_IMAGE, error.message, field_errors={"image": [error.message]}
        ) from None
    store_photo(image, encoded_original(picture))


@transaction.atomic
def category_save(*, category: Category) -> Category:
    """Create or change a category, keeping the paths of its whole branch right."""
    _category_image_cleaned(category)
    old_path = (
        Category.objects.filter(pk=category.pk).values_list("path", flat=True).first()
        if category.pk
        else None
    )
    old_names = (
        Category.objects.filter(pk=category.pk).values_list("name_en", "name_ar").first()
        if category.pk
        else None
    )
    if category.pk is None:
        category.save()
    _place_in_tree(category)
    category.save()
    if old_path and old_path != category.path:
        for child in Category.objects.filter(path__startswith=old_path).exclude(pk=category.pk):
            child.path = category.path + child.path[len(old_path) :]
            child.depth = child.path.count("/") - 1
            child.save(update_fields=["path", "depth"])
    _relist_branch(category)
    if old_names is not None and (
        old_names != (category.name_en, category.name_ar) or old_path != category.path
    ):
        # Products are found by their categories' names, up the tree.
        branch = Category.objects.filter(path__startswith=category.path).values_list("pk")
        search_index_rebuild(products=Product.objects.filter(category_id__in=branch))
    catalog_changed()
    return category


def _branch_hidden(category: Category) -> bool:
    ids = [int(i) for i in category.path.strip("/").split("/") if i]
    return Category.objects.filter(pk__in=ids, is_active=False).exists()


def product_summary_refresh(*, product: Product) -> Product:
    """Recompute what lists sort and filter by: lowest shelf price and whether any is in stock."""
    live = product.variants.filter(is_active=True)
    lowest = live.aggregate(lowest=Min("price"))["lowest"]
    product.min_price = gross_price(lowest) if lowest is not None else Decimal("0.00")
    product.in_stock = live.filter(stock__gt=0).exists()
    product.save(update_fields=["min_price", "in_stock"])
    return product


@transaction.atomic
def product_save(*, product: Product) -> Product:
    """Create or change a product; its search text follows its names and descriptions."""
    if Product.objects.filter(slug=product.slug).exclude(pk=product.pk).exists():
        raise CatalogError(
            CatalogErrorCode.SLUG_TAKEN,
            _("Another product already uses this address."),
            field_errors={"slug": [_("Choose another slug.")]},
        )
    product.refresh_search_text()
    remember = _search_keys_refresh(product)
    product.is_listed = product.is_active and not _branch_hidden(product.category)
    product.save()
    _search_terms_remember(remember)
    product_summary_refresh(product=product)
    catalog_changed()
    return product


def _money(value: object, field: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise CatalogError(
            CatalogErrorCode.INVALID_INPUT,
            _("Enter a price such as 49.90."),
            field_errors={field: [_("Enter a price such as 49.90.")]},
        ) from None
    if not amount.is_finite() or amount < 0:
        raise CatalogError(
            CatalogErrorCode.INVALID_INPUT,
            _("A price cannot be below zero."),
            field_errors={field: [_("A price cannot be below zero.")]},
        )
    return amount.quantize(Decimal("0.01"))


@transaction.atomic
def variant_save(*, variant: Variant) -> Variant:
    """Create or change a variant: a unique SKU, prices not below zero, stock a whole number."""
    variant.sku = (variant.sku or "").strip()
    if not variant.sku:
        raise CatalogError(
            CatalogErrorCode.INVALID_INPUT,
            _("Every variant needs a SKU."),
            field_errors={"sku": [_("Every variant needs a SKU.")]},
        )
    if Variant.objects.filter(sku__iexact=variant.sku).exclude(pk=variant.pk).exists():
        raise CatalogError(
            CatalogErrorCode.SKU_TAKEN,
            _("The SKU %(sku)s is already used.") % {"sku": variant.sku},
            field_errors={"sku": [_("This SKU is already used by another variant.")]},
        )
    variant.price = _money(variant.price, "price")
    if variant.compare_at_price is not None:
        variant.compare_at_price = _money(variant.compare_at_price, "compare_at_price")
    if variant.stock is None or int(variant.stock) < 0:
        raise CatalogError(
            CatalogErrorCode.INVALID_INPUT,
            _("Stock cannot be below zero."),
            field_errors={"stock": [_("Stock cannot be below zero.")]},
        )
    variant.save()
    _search_options_follow(variant)
    product_summary_refresh(product=variant.product)
    catalog_changed()
    return variant


@transaction.atomic
def stock_set(*, variant: Variant, quantity: int) -> Variant:
    """Set a variant's stock count (a stock take)."""
    variant.stock = quantity
    return variant_save(variant=variant)


@transaction.atomic
def product_image_add(
    *, product: Product, upload: UploadedFile, alt_en: str = "", alt_ar: str = ""
) -> ProductImage:
    """Store a photo redrawn without its metadata, and its two smaller sizes, once, now.

    Nothing of the upload is kept as sent: not its EXIF (GPS, device, owner), not its name.
    """
    image = checked_image(upload)
    record = ProductImage(product=product, alt_en=alt_en, alt_ar=alt_ar)
    record.position = product.images.count()
    store_photo(record.original, encoded_original(image))
    store_photo(record.thumbnail, resized(image, THUMBNAIL_SIZE))
    store_photo(record.display, resized(image, DISPLAY_SIZE))
    record.save()
    catalog_changed()
    return record


# --- The search index: each product's terms, the vocabulary, the synonyms --------------------


def _category_names(category_id: int, categories: dict[int, Category] | None = None) -> list[str]:
    """The names, in both languages, of a category and every category above it."""
    if categories is None:
        path = Category.objects.filter(pk=category_id).values_list("path", flat=True).first() or ""
        ids = [int(part) for part in path.strip("/").split("/") if part]
        categories = Category.objects.in_bulk(ids)
        chain = [categories[i] for i in ids if i in categories]
    else:
        found = categories.get(category_id)
        ids = [int(part) for part in (found.path if found else "").strip("/").split("/") if part]
        chain = [categories[i] for i in ids if i in categories]
    return [name for node in chain for name in (node.name_en, node.name_ar)]


def _search_keys_refresh(
    product: Product,
    *,
    categories: dict[int, Category] | None = None,
    options: list[dict] | None = None,
) -> dict[str, str]:
    """Set a product's index terms; returns the terms and the words that show them."""
    if options is None:
        options = (
            list(product.variants.filter(is_active=True).values_list("options", flat=True))
            if product.pk
            else []
        )
    built = index_text(
        names=[product.name_en, product.name_ar],
        categories=_category_names(product.category_id, categories),
        options=option_texts(options),
        descriptions=[product.description_en, product.description_ar],
    )
    product.search_name_keys = built.name_keys
    product.search_keys = built.keys
    return built.shown


def _search_terms_remember(shown: dict[str, str]) -> None:
    """Add new terms to the vocabulary that corrects typos, and renew its cached copy."""
    if not shown:
        return
    present: set[str] = set()
    terms = list(shown)
    for start in range(0, len(terms), 900):
        chunk = terms[start : start + 900]
        present |= set(SearchTerm.objects.filter(term__in=chunk).values_list("term", flat=True))
    fresh = [SearchTerm(term=t, word=w) for t, w in shown.items() if t not in present]
    if fresh:
        SearchTerm.objects.bulk_create(fresh, batch_size=1000, ignore_conflicts=True)
        _vocabulary_changed()


def _search_options_follow(variant: Variant) -> None:
    """A variant's option values are search terms of its product ("black dress")."""
    product = variant.product
    values = option_texts([variant.options])
    if not values or all(
        f" {term} " in product.search_keys for term in index_text(names=values).name_keys.split()
    ):
        return
    shown = _search_keys_refresh(product)
    product.save(update_fields=["search_name_keys", "search_keys"])
    _search_terms_remember(shown)


def search_index_rebuild(*, products=None, batch: int = 2000) -> int:
    """Recompute the index terms of ``products`` (every product by default), in batches.

    The demo loader calls it after creating products in bulk; a category's new name calls it
    for the products of its branch.
    """
    chosen = Product.objects.all() if products is None else products
    categories = Category.objects.in_bulk()
    shown: dict[str, str] = {}
    done = 0
    ids = list(chosen.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        options: dict[int, list[dict]] = {}
        for product_id, values in Variant.objects.filter(
            product_id__in=chunk, is_active=True
        ).values_list("product_id", "options"):
            options.setdefault(product_id, []).append(values)
        rows = list(
            Product.objects.filter(pk__in=chunk).only(
                "pk", "category_id", "name_en", "name_ar", "description_en", "description_ar"
            )
        )
        for product in rows:
            for term, word in _search_keys_refresh(
                product, categories=categories, options=options.get(product.pk, [])
            ).items():
                if term not in shown or len(word) < len(shown[term]):
                    shown[term] = word
        Product.objects.bulk_update(rows, ["search_name_keys", "search_keys"], batch_size=1000)
        done += len(rows)
    _search_terms_remember(shown)
    return done


@transaction.atomic
def search_synonym_save(*, synonym: SearchSynonym) -> SearchSynonym:
    """Create or change a group of synonyms; searches use it once the edit commits."""
    words = synonym.all_words
    if not words:
        raise CatalogError(
            CatalogErrorCode.INVALID_INPUT,
            _("Enter a word."),
            field_errors={"word": [_("Enter a word.")]},
        )
    synonym.word = words[0]
    synonym.equivalents = ", ".join(words[1:])
    synonym.save()
    _search_changed()
    return synonym


@transaction.atomic
def search_synonym_delete(*, synonym: SearchSynonym) -> None:
    synonym.delete()
    _search_changed()


def _vocabulary_changed() -> None:
    renew_vocabulary()
    transaction.on_commit(renew_vocabulary, robust=True)


def _search_changed() -> None:
    # Cached search pages retire with the catalogue version; the vocabulary is read afresh.
    _vocabulary_changed()
    catalog_changed()
