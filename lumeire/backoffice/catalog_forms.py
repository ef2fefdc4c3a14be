"""Catalogue forms of the back office: they check what the catalogue services will refuse.

The services stay the final guard (see ``refusals``); checking here first means staff see every
problem of a page at once, next to the field, before anything is written.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from lumeire.catalog.errors import CatalogError
from lumeire.catalog.images import checked_image
from lumeire.catalog.models import Category, Product, ProductImage, Variant

PRICE_NOT_NEGATIVE = _("A price cannot be below zero.")
STOCK_NOT_NEGATIVE = _("Stock cannot be below zero.")
OPTIONS_SHAPE = _('Write the options as {"size": "M", "colour": "Black"}.')
# Labels for catalogue fields that have no translatable name of their own.
SHOWN = capfirst(_("shown in the store"))
SLUG = capfirst(_("web address (slug)"))
POSITION = capfirst(_("position in lists"))


class CategoryChoiceField(forms.ModelChoiceField):
    """Categories listed as a tree: each name indented by its depth."""

    def label_from_instance(self, obj: Category) -> str:
        return f"{'— ' * obj.depth}{obj.name_en} / {obj.name_ar}"


class CategoryForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = ("parent", "slug", "name_en", "name_ar", "position", "image", "is_active")
        labels = {
            "parent": capfirst(_("parent category")),
            "slug": SLUG,
            "position": POSITION,
            "image": capfirst(_("image")),
            "is_active": SHOWN,
        }

    def clean_parent(self) -> Category | None:
        parent = self.cleaned_data.get("parent")
        own_path = self.instance.path if self.instance.pk else ""
        if parent is not None and own_path and parent.path.startswith(own_path):
            raise ValidationError(
                _("A category cannot be placed inside itself or one of its children."),
                code="category_cycle",
            )
        return parent


class ProductForm(forms.ModelForm):
    class Meta:
        model = Product
        fields = (
            "category",
            "name_en",
            "name_ar",
            "slug",
            "description_en",
            "description_ar",
            "is_active",
            "is_featured",
            "min_age",
        )
        labels = {"category": capfirst(_("category")), "slug": SLUG}


def _price_messages() -> dict[str, str]:
    return {"min_value": PRICE_NOT_NEGATIVE}


class VariantForm(forms.ModelForm):
    """One variant: a SKU no other variant has (in any case), prices not below zero."""

    class Meta:
        model = Variant
        fields = ("sku", "options", "price", "compare_at_price", "stock", "is_active")
        widgets = {"options": forms.TextInput(attrs={"dir": "auto"})}
        labels = {"is_active": capfirst(_("on sale")), "position": POSITION}
        error_messages = {
            "price": _price_messages(),
            "compare_at_price": _price_messages(),
            "stock": {"min_value": STOCK_NOT_NEGATIVE},
        }
        help_texts = {"options": OPTIONS_SHAPE}

    def clean_sku(self) -> str:
        sku = (self.cleaned_data.get("sku") or "").strip()
        if not sku:
            raise ValidationError(_("Every variant needs a SKU."), code="required")
        taken = Variant.objects.filter(sku__iexact=sku)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise ValidationError(
                _("The SKU %(sku)s is already used by another variant."),
                code="sku_taken",
                params={"sku": sku},
            )
        return sku

    def clean_options(self) -> dict[str, str]:
        options = self.cleaned_data.get("options")
        if options in (None, ""):
            return {}
        if not isinstance(options, dict) or not all(
            isinstance(value, str | int | Decimal | float) and not isinstance(value, bool)
            for value in options.values()
        ):
            raise ValidationError(OPTIONS_SHAPE, code="options_shape")
        return {str(name).strip(): str(value).strip() for name, value in options.items()}


class VariantFormSet(forms.BaseInlineFormSet):
    """The variants of one product: no two of them may share a SKU, whatever its case."""

    def clean(self) -> None:
        super().clean()
        seen: set[str] = set()
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or self._should_delete_form(form):
                continue
            sku = form.cleaned_data.get("sku")
            if not sku:
                continue
            if sku.casefold() in seen:
                form.add_error(
                    "sku",
                    _("Two variants of this product cannot share the SKU %(sku)s.") % {"sku": sku},
                )
            seen.add(sku.casefold())


class ProductImageForm(forms.ModelForm):
    """A new photo is uploaded here; a kept one can only be removed (its thumbnails are fixed)."""

    upload = forms.ImageField(label=capfirst(_("photo")), required=False)

    class Meta:
        model = ProductImage
        fields = ("alt_en", "alt_ar")
        labels = {
            "alt_en": capfirst(_("photo description (English)")),
            "alt_ar": capfirst(_("photo description (Arabic)")),
        }
        help_texts = {"alt_en": _("What the photo shows, for people who cannot see it.")}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            for field in self.fields.values():
                field.disabled = True

    def clean_upload(self) -> UploadedFile | None:
        upload = self.cleaned_data.get("upload")
        if isinstance(upload, UploadedFile):
            try:
                checked_image(upload)
            except CatalogError as error:
                raise ValidationError(error.message, code=error.code) from None
            upload.seek(0)
        return upload

    def clean(self) -> dict[str, object]:
        cleaned_data = super().clean()
        if not self.instance.pk and not cleaned_data.get("upload") and "upload" not in self.errors:
            self.add_error("upload", _("Choose a photo to upload."))
        return cleaned_data
