"""The home page's hero and banners in the back office. Every write goes through
``lumeire.merchandising.services``; the catalogue's managers keep them."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from lumeire.backoffice.catalog_admin import CategoryTreeMixin
from lumeire.backoffice.pages import StaffPageMixin
from lumeire.backoffice.refusals import RefusalsOnTheFormMixin, service_refusals
from lumeire.backoffice.sites import backoffice_site
from lumeire.catalog.errors import CatalogError
from lumeire.catalog.images import checked_image
from lumeire.merchandising.models import Banner
from lumeire.merchandising.services import banner_delete, banner_save

NOTHING = "—"


class BannerForm(forms.ModelForm):
    """A banner in both languages; the model's checks (schedule, link, button) run on submit."""

    class Meta:
        model = Banner
        fields = (
            "placement",
            "position",
            "is_active",
            "headline_en",
            "headline_ar",
            "text_en",
            "text_ar",
            "button_en",
            "button_ar",
            "link_category",
            "link_product",
            "link_path",
            "image",
            "alt_en",
            "alt_ar",
            "starts_at",
            "ends_at",
        )
        widgets = {
            "headline_ar": forms.TextInput(attrs={"dir": "rtl", "lang": "ar"}),
            "text_ar": forms.Textarea(attrs={"dir": "rtl", "lang": "ar", "rows": 3}),
            "text_en": forms.Textarea(attrs={"rows": 3}),
            "button_ar": forms.TextInput(attrs={"dir": "rtl", "lang": "ar"}),
            "alt_ar": forms.TextInput(attrs={"dir": "rtl", "lang": "ar"}),
            "link_path": forms.TextInput(attrs={"dir": "ltr"}),
        }

    def clean_image(self):
        image = self.cleaned_data.get("image")
        if isinstance(image, UploadedFile):
            try:
                checked_image(image)
            except CatalogError as error:
                raise ValidationError(error.message, code=error.code) from None
            image.seek(0)
        return image


@admin.register(Banner, site=backoffice_site)
class BannerAdmin(StaffPageMixin, CategoryTreeMixin, RefusalsOnTheFormMixin, admin.ModelAdmin):
    form = BannerForm
    fieldsets = (
        (None, {"fields": (("placement", "position", "is_active"),)}),
        (
            _("Words, in English and in Arabic"),
            {
                "fields": (
                    ("headline_en", "headline_ar"),
                    ("text_en", "text_ar"),
                    ("button_en", "button_ar"),
                )
            },
        ),
        (
            _("Where the button leads (one of the three)"),
            {"fields": ("link_category", "link_product", "link_path")},
        ),
        (_("Picture"), {"fields": ("preview", "image", ("alt_en", "alt_ar"))}),
        (_("When it shows"), {"fields": (("starts_at", "ends_at"),)}),
    )
    readonly_fields = ("preview",)
    # A store of many thousand products: the product is named by its number, with a lookup.
    raw_id_fields = ("link_product",)
    list_display = (
        "headline_en",
        "headline_ar",
        "placement",
        "position",
        "starts_at",
        "ends_at",
        "is_active",
        "live_now",
        "thumbnail",
    )
    list_filter = ("placement", "is_active")
    search_fields = ("headline_en", "headline_ar")
    ordering = ("placement", "position", "id")

    @admin.display(description=_("preview"))
    def preview(self, banner: Banner) -> str:
        if not banner.pk or not banner.image:
            return NOTHING
        return format_html(
            '<a href="{}"><img src="{}" alt="{}" class="backoffice-banner-preview" width="400">'
            "</a>",
            banner.image.url,
            banner.small_image_url,
            banner.alt_en,
        )

    @admin.display(description=_("image"))
    def thumbnail(self, banner: Banner) -> str:
        if not banner.image:
            return NOTHING
        return format_html(
            '<img src="{}" alt="{}" class="backoffice-thumb" width="96">',
            banner.small_image_url,
            banner.alt_en,
        )

    @admin.display(description=_("shown now"), boolean=True)
    def live_now(self, banner: Banner) -> bool:
        return banner.is_live(timezone.now())

    def save_model(self, request, obj: Banner, form, change: bool) -> None:
        with service_refusals():
            banner_save(banner=obj)

    def delete_model(self, request, obj: Banner) -> None:
        banner_delete(banner=obj)

    def delete_queryset(self, request, queryset: QuerySet[Banner]) -> None:
        for banner in queryset:
            banner_delete(banner=banner)
