"""The home page's hero and banner tiles: bilingual, linked inside the store, on a schedule."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from lumeire.catalog.models import Category, Product

MAX_PATH_LENGTH = 200
STOREFRONT_NAMESPACE = "storefront"

EXTERNAL_LINK = _(
    "Link only to a page of this store: a path such as /search/?q=oud, without a web "
    "address of another site."
)
UNKNOWN_PATH = _("The store has no page at this path. Open the page and copy its path.")
ONE_LINK = _("Choose one link: a category, a product or a path of the store.")
END_BEFORE_START = _("The end must come after the start.")
BUTTON_NEEDS_LINK = _("A button needs a link: choose a category, a product or a path.")
LINK_NEEDS_BUTTON = _("Write the button's label in English and in Arabic.")


def _language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def store_path(value: str) -> str:
    """``value`` as a storefront path without its language prefix; ValidationError otherwise.

    Only the store's own pages: no scheme, no host (``//host``), no backslash (browsers read
    it as a slash), nothing a browser would take to another site.
    """
    path = (value or "").strip()
    if not path:
        return ""
    if (
        len(path) > MAX_PATH_LENGTH
        or not path.startswith("/")
        or path.startswith("//")
        or "\\" in path
        or any(ord(char) < 33 or ord(char) == 127 for char in path)
    ):
        raise ValidationError(EXTERNAL_LINK, code="external_link")
    parts = urlsplit(path)
    if parts.scheme or parts.netloc:
        raise ValidationError(EXTERNAL_LINK, code="external_link")
    bare = parts.path
    for code in _language_codes():
        if bare == f"/{code}" or bare.startswith(f"/{code}/"):
            bare = bare[len(code) + 1 :] or "/"
            break
    with translation.override(settings.LANGUAGE_CODE):
        try:
            match = resolve(f"/{settings.LANGUAGE_CODE}{bare}")
        except Resolver404:
            raise ValidationError(UNKNOWN_PATH, code="unknown_path") from None
    if STOREFRONT_NAMESPACE not in match.namespaces:
        raise ValidationError(UNKNOWN_PATH, code="unknown_path")
    query = f"?{parts.query}" if parts.query else ""
    fragment = f"#{parts.fragment}" if parts.fragment else ""
    return f"{bare}{query}{fragment}"


def _in_arabic() -> bool:
    return (translation.get_language() or "en").startswith("ar")


class Placement(models.TextChoices):
    """Where on the home page a banner shows."""

    HERO = "hero", _("Hero: the large picture at the top")
    TILE = "tile", _("Banner tile: one of up to three below the hero")


class Banner(models.Model):
    """A picture, words and a button on the home page, in both languages, maybe for a time."""

    placement = models.CharField(
        _("placement"), max_length=8, choices=Placement.choices, default=Placement.HERO
    )
    headline_en = models.CharField(_("headline (English)"), max_length=120)
    headline_ar = models.CharField(_("headline (Arabic)"), max_length=120)
    text_en = models.CharField(_("text (English)"), max_length=300, blank=True)
    text_ar = models.CharField(_("text (Arabic)"), max_length=300, blank=True)
    button_en = models.CharField(_("button label (English)"), max_length=40, blank=True)
    button_ar = models.CharField(_("button label (Arabic)"), max_length=40, blank=True)
    link_category = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("link to a category"),
    )
    link_product = models.ForeignKey(
        Product,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("link to a product"),
    )
    link_path = models.CharField(
        _("link to a page of the store"),
        max_length=MAX_PATH_LENGTH,
        blank=True,
        help_text=_("A path of this store, such as /search/?q=oud. Never another site."),
    )
    # Redrawn without metadata and named by its content (lumeire.catalog.images).
    image = models.ImageField(_("image"), upload_to="banners/")
    image_small = models.ImageField(
        _("small image"), upload_to="banners/small/", blank=True, editable=False
    )
    alt_en = models.CharField(_("image description (English)"), max_length=200)
    alt_ar = models.CharField(_("image description (Arabic)"), max_length=200)
    position = models.PositiveIntegerField(_("position"), default=0)
    starts_at = models.DateTimeField(
        _("shown from"), null=True, blank=True, help_text=_("Empty: from now on.")
    )
    ends_at = models.DateTimeField(
        _("shown until"), null=True, blank=True, help_text=_("Empty: until it is switched off.")
    )
    is_active = models.BooleanField(_("shown on the home page"), default=True)

    not_personal = {
        "placement": "where a banner shows on the home page",
        "headline_en": "words the store writes for its home page",
        "headline_ar": "words the store writes for its home page",
        "text_en": "words the store writes for its home page",
        "text_ar": "words the store writes for its home page",
        "button_en": "words the store writes for its home page",
        "button_ar": "words the store writes for its home page",
        "link_category": "a shelf of the store a banner links to",
        "link_product": "a product a banner links to",
        "link_path": "a page of the store a banner links to",
        "image": "a picture of the store's, redrawn without metadata",
        "image_small": "a smaller copy of the same picture",
        "alt_en": "a description of the store's picture",
        "alt_ar": "a description of the store's picture",
        "position": "the order of banners",
        "starts_at": "when the store starts showing a banner",
        "ends_at": "when the store stops showing a banner",
        "is_active": "whether a banner is shown",
    }

    class Meta:
        ordering = ["placement", "position", "id"]
        verbose_name = _("home page banner")
        verbose_name_plural = _("home page banners")
        indexes = [
            models.Index(fields=["is_active", "placement", "position"], name="banner_live_order"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_at__isnull=True)
                | Q(ends_at__isnull=True)
                | Q(ends_at__gt=F("starts_at")),
                name="banner_ends_after_start",
                violation_error_message=END_BEFORE_START,
            ),
            models.CheckConstraint(
                condition=~(Q(link_category__isnull=False) & Q(link_product__isnull=False))
                & ~(Q(link_category__isnull=False) & ~Q(link_path=""))
                & ~(Q(link_product__isnull=False) & ~Q(link_path="")),
                name="banner_one_link",
                violation_error_message=ONE_LINK,
            ),
        ]

    def __str__(self) -> str:
        return self.headline_en

    def clean(self) -> None:
        """The schedule in order, one link at most, and a button exactly when there is a link."""
        errors: dict[str, list] = {}
        if self.link_path:
            try:
                self.link_path = store_path(self.link_path)
            except ValidationError as error:
                errors["link_path"] = error.messages
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = [END_BEFORE_START]
        links = [bool(self.link_category_id), bool(self.link_product_id), bool(self.link_path)]
        if sum(links) > 1:
            errors.setdefault("link_path", []).append(ONE_LINK)
        if any(links) and not (self.button_en.strip() and self.button_ar.strip()):
            errors["button_en"] = [LINK_NEEDS_BUTTON]
        if not any(links) and (self.button_en.strip() or self.button_ar.strip()):
            errors["button_en"] = [BUTTON_NEEDS_LINK]
        if errors:
            raise ValidationError(errors)

    def is_live(self, now) -> bool:
        """Whether the banner shows at ``now`` (the selectors ask the database the same)."""
        return (
            self.is_active
            and (self.starts_at is None or self.starts_at <= now)
            and (self.ends_at is None or now < self.ends_at)
        )

    @property
    def headline(self) -> str:
        return self.headline_ar if _in_arabic() else self.headline_en

    @property
    def text(self) -> str:
        return self.text_ar if _in_arabic() else self.text_en

    @property
    def button(self) -> str:
        return self.button_ar if _in_arabic() else self.button_en

    @property
    def alt(self) -> str:
        return self.alt_ar if _in_arabic() else self.alt_en

    @property
    def small_image_url(self) -> str:
        return self.image_small.url if self.image_small else self.image.url

    @property
    def url(self) -> str | None:
        """Where the button leads in the current language; None when the target is gone."""
        try:
            if self.link_product_id:
                product = self.link_product
                if not product.is_listed:
                    return None
                return reverse("storefront:product", kwargs={"slug": product.slug})
            if self.link_category_id:
                category = self.link_category
                if not category.is_active:
                    return None
                return reverse("storefront:category", kwargs={"slug": category.slug})
        except NoReverseMatch:
            return None
        if self.link_path:
            language = translation.get_language() or settings.LANGUAGE_CODE
            code = language if language in _language_codes() else settings.LANGUAGE_CODE
            return f"/{code}{self.link_path}"
        return None
