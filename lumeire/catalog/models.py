"""Categories in a tree, products in two languages, variants with price and stock, images."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from lumeire.core.text import fold_text


class Bilingual(models.Model):
    """Names (and descriptions) in English and Arabic, read in the current language."""

    name_en = models.CharField(_("name (English)"), max_length=200)
    name_ar = models.CharField(_("name (Arabic)"), max_length=200)

    not_personal = {
        "name_en": "the name of something the store sells",
        "name_ar": "the name of something the store sells",
    }

    class Meta:
        abstract = True

    @property
    def name(self) -> str:
        return self.name_ar if (get_language() or "en").startswith("ar") else self.name_en


class Category(Bilingual):
    """A shelf of the store; ``path`` (ids joined by "/") finds a whole branch in one query."""

    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent category"),
    )
    slug = models.SlugField(_("slug"), max_length=120, unique=True, allow_unicode=False)
    path = models.CharField(
        _("path in the tree"), max_length=255, db_index=True, editable=False, default=""
    )
    depth = models.PositiveSmallIntegerField(_("depth"), default=0, editable=False)
    position = models.PositiveIntegerField(_("position"), default=0)
    image = models.ImageField(_("image"), upload_to="categories/", blank=True)
    is_active = models.BooleanField(_("shown in the store"), default=True)

    class Meta:
        ordering = ["path"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name_en


class Product(Bilingual):
    """Something the store sells, in one or more variants."""

    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="products", verbose_name=_("category")
    )
    slug = models.SlugField(_("slug"), max_length=160, unique=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_ar = models.TextField(_("description (Arabic)"), blank=True)
    is_active = models.BooleanField(_("shown in the store"), default=True)
    # Shown and in a shown branch: kept by the catalogue services so lists need no join.
    is_listed = models.BooleanField(_("listed"), default=False, editable=False)
    is_featured = models.BooleanField(_("featured on the home page"), default=False)
    min_age = models.PositiveSmallIntegerField(
        _("minimum age"), null=True, blank=True, help_text=_("Leave empty for everyone.")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    # Kept in step with the variants by the catalogue services, for filters and sorting.
    min_price = models.DecimalField(
        _("lowest price with VAT"), max_digits=12, decimal_places=2, default=Decimal("0.00")
    )
    in_stock = models.BooleanField(_("in stock"), default=False)
    # Folded text for search: names alone (typo matching, strongest rank) and everything.
    search_names = models.TextField(_("searchable names"), blank=True, editable=False)
    search_text = models.TextField(_("searchable text"), blank=True, editable=False)
    # Index terms (folded, stemmed, space-separated with a space at each end): of the names,
    # ranked first, and of everything a shopper may type for it (names, categories up the tree,
    # option values, descriptions). Kept by the catalogue services (search_index_refresh).
    search_name_keys = models.TextField(_("search terms of the names"), blank=True, editable=False)
    search_keys = models.TextField(_("search terms"), blank=True, editable=False)

    not_personal = {
        **Bilingual.not_personal,
        "min_age": "the age a product requires of its buyer, not anyone's age",
        "search_name_keys": "search terms of what the store sells",
        "search_keys": "search terms of what the store sells",
    }

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        indexes = [
            models.Index(fields=["category", "is_listed"], name="product_category_listed"),
            models.Index(fields=["is_listed", "min_price", "id"], name="product_price_sort"),
            models.Index(fields=["is_listed", "-created_at", "id"], name="product_newest_sort"),
        ]

    def __str__(self) -> str:
        return self.name_en

    @property
    def description(self) -> str:
        return (
            self.description_ar
            if (get_language() or "en").startswith("ar")
            else self.description_en
        )

    def refresh_search_text(self) -> None:
        """Fold names and descriptions in both languages into searchable text."""
        self.search_names = fold_text(f"{self.name_en} {self.name_ar}")
        self.search_text = fold_text(
            " ".join([self.name_en, self.name_ar, self.description_en, self.description_ar])
        )


class Variant(models.Model):
    """One buyable form of a product: its SKU, options, net price and stock."""

    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="variants", verbose_name=_("product")
    )
    sku = models.CharField(_("SKU"), max_length=64, unique=True)
    options = models.JSONField(_("options"), default=dict, blank=True)
    price = models.DecimalField(
        _("price before VAT"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.00"))],
    )
    compare_at_price = models.DecimalField(
        _("compare-at price before VAT"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.00"))],
    )
    stock = models.PositiveIntegerField(_("in stock"), default=0)
    is_active = models.BooleanField(_("on sale"), default=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("variant")
        verbose_name_plural = _("variants")
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="variant_price_not_negative"),
            models.CheckConstraint(condition=Q(stock__gte=0), name="variant_stock_not_negative"),
        ]

    def __str__(self) -> str:
        return self.sku

    @property
    def options_label(self) -> str:
        return " / ".join(str(value) for value in self.options.values())


class ProductImage(models.Model):
    """A product photo, redrawn without metadata and named by its content, in three sizes."""

    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="images", verbose_name=_("product")
    )
    original = models.ImageField(_("original photo"), upload_to="products/originals/")
    thumbnail = models.ImageField(
        _("thumbnail"), upload_to="products/thumbs/", blank=True, editable=False
    )
    display = models.ImageField(
        _("display image"), upload_to="products/display/", blank=True, editable=False
    )
    alt_en = models.CharField(
        _("description for screen readers (English)"), max_length=200, blank=True
    )
    alt_ar = models.CharField(
        _("description for screen readers (Arabic)"), max_length=200, blank=True
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("product image")
        verbose_name_plural = _("product images")

    def __str__(self) -> str:
        return f"image {self.pk} of {self.product_id}"


class CatalogueVersion(models.Model):
    """One row: the number every cached catalogue page and fragment is keyed by.

    It lives in the database, not in a cache, so every node reads the same number, a cache
    outage cannot lose an edit's bump, and the bump is made only once the edit is committed.
    """

    number = models.PositiveBigIntegerField(_("catalogue version"), default=1)

    not_personal = {"number": "a counter of catalogue edits"}

    class Meta:
        verbose_name = _("catalogue version")

    def __str__(self) -> str:
        return str(self.number)


class SearchTerm(models.Model):
    """A term of the search index and a word that shows it, for typo correction and "did you
    mean". Terms come from products and synonyms; one no product uses any more matches nothing.
    """

    term = models.CharField(_("term"), max_length=64, unique=True)
    word = models.CharField(_("word shown"), max_length=64)

    not_personal = {
        "term": "a word of the catalogue's search index",
        "word": "a word of the catalogue's search index",
    }

    class Meta:
        verbose_name = _("search term")
        verbose_name_plural = _("search terms")

    def __str__(self) -> str:
        return self.word


class SearchSynonym(models.Model):
    """Words a shopper may type for the same thing ("scent", "fragrance" for "perfume").

    A search for any of the words also finds what the others find, in both directions.
    """

    class Language(models.TextChoices):
        BOTH = "", _("Both languages")
        ENGLISH = "en", _("English pages")
        ARABIC = "ar", _("Arabic pages")

    word = models.CharField(_("word"), max_length=64)
    equivalents = models.CharField(
        _("equivalent words"),
        max_length=500,
        help_text=_("Separated by commas, for example: fragrance, scent, عطر"),
    )
    language = models.CharField(
        _("applies on"), max_length=2, choices=Language.choices, blank=True, default=""
    )

    not_personal = {
        "word": "a word shoppers search for",
        "equivalents": "words shoppers search for",
        "language": "which pages a synonym applies on",
    }

    class Meta:
        ordering = ["word", "id"]
        verbose_name = _("search synonym")
        verbose_name_plural = _("search synonyms")

    def __str__(self) -> str:
        return self.word

    @property
    def all_words(self) -> list[str]:
        listed = [self.word, *self.equivalents.replace("،", ",").split(",")]
        return [" ".join(word.split()) for word in listed if word.strip()]
