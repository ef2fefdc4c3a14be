"""Catalogue pages of the back office. Every write goes through ``lumeire.catalog.services``."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.forms import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from lumeire.backoffice.catalog_forms import (
    CategoryChoiceField,
    CategoryForm,
    ProductForm,
    ProductImageForm,
    VariantForm,
    VariantFormSet,
)
from lumeire.backoffice.pages import StaffPageMixin
from lumeire.backoffice.refusals import (
    RefusalsOnTheFormMixin,
    RefusalsOnTheInlineMixin,
    service_refusals,
)
from lumeire.backoffice.sites import backoffice_site
from lumeire.catalog.models import Category, Product, ProductImage, Variant
from lumeire.catalog.services import (
    catalog_changed,
    category_save,
    product_image_add,
    product_save,
    product_summary_refresh,
    stock_set,
    variant_save,
)
from lumeire.core.text import fold_text

NOTHING = "—"
MAX_SEARCH_WORDS = 8


def _thumbnail(url: str, link: str, alt: str) -> str:
    return format_html(
        '<a href="{}"><img src="{}" alt="{}" class="backoffice-thumb"></a>', link, url, alt
    )


class CategoryTreeMixin:
    """Category choices listed in tree order, indented by depth."""

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        if db_field.remote_field.model is Category:
            kwargs["queryset"] = Category.objects.order_by("path")
            kwargs["form_class"] = CategoryChoiceField
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Category, site=backoffice_site)
class CategoryAdmin(StaffPageMixin, CategoryTreeMixin, RefusalsOnTheFormMixin, admin.ModelAdmin):
    form = CategoryForm
    fields = CategoryForm.Meta.fields
    list_display = (
        "tree_name",
        "name_ar",
        "slug",
        "parent",
        "position",
        "image_preview",
        "is_active",
    )
    list_filter = ("is_active",)
    list_select_related = ("parent",)
    search_fields = ("name_en", "name_ar", "slug")
    ordering = ("path",)
    prepopulated_fields = {"slug": ("name_en",)}

    @admin.display(description=_("name (English)"), ordering="path")
    def tree_name(self, category: Category) -> str:
        depth = min(category.depth, 5)
        return format_html(
            '<span class="backoffice-depth backoffice-depth-{}">{}</span>', depth, category.name_en
        )

    @admin.display(description=_("image"))
    def image_preview(self, category: Category) -> str:
        if not category.image:
            return NOTHING
        return _thumbnail(category.image.url, category.image.url, category.name_en)

    def save_model(self, request, obj: Category, form, change: bool) -> None:
        with service_refusals():
            category_save(category=obj)

    def delete_model(self, request, obj: Category) -> None:
        super().delete_model(request, obj)
        catalog_changed()

    def delete_queryset(self, request, queryset: QuerySet[Category]) -> None:
        super().delete_queryset(request, queryset)
        catalog_changed()


class VariantInline(RefusalsOnTheInlineMixin, admin.TabularInline):
    model = Variant
    form = VariantForm
    formset = VariantFormSet
    fields = VariantForm.Meta.fields
    extra = 1


class ProductImageInline(RefusalsOnTheInlineMixin, admin.TabularInline):
    model = ProductImage
    form = ProductImageForm
    fields = ("preview", "upload", "alt_en", "alt_ar")
    readonly_fields = ("preview",)
    extra = 1

    @admin.display(description=_("thumbnail"))
    def preview(self, image: ProductImage) -> str:
        if not image.pk or not image.thumbnail:
            return NOTHING
        return _thumbnail(image.thumbnail.url, image.original.url, image.alt_en)


@admin.register(Product, site=backoffice_site)
class ProductAdmin(StaffPageMixin, CategoryTreeMixin, RefusalsOnTheFormMixin, admin.ModelAdmin):
    form = ProductForm
    inlines = (VariantInline, ProductImageInline)
    fieldsets = (
        (None, {"fields": ("category", "name_en", "name_ar", "slug")}),
        (_("Descriptions"), {"fields": ("description_en", "description_ar")}),
        (_("In the store"), {"fields": ("is_active", "is_featured", "min_age")}),
    )
    list_display = ("name_en", "category", "shelf_price", "in_stock", "is_active", "is_featured")
    list_filter = ("category", "is_active", "in_stock", "min_age")
    list_select_related = ("category",)
    search_fields = ("search_text",)
    search_help_text = _("Names and descriptions in either language, or an exact SKU.")
    ordering = ("-created_at", "-id")
    prepopulated_fields = {"slug": ("name_en",)}
    show_full_result_count = False

    @admin.display(description=_("lowest price, VAT included"), ordering="min_price")
    def shelf_price(self, product: Product):
        return product.min_price

    def get_search_results(self, request, queryset: QuerySet[Product], search_term: str):
        """Match folded text, as the storefront does: "creme" finds "Crème", ا finds أ."""
        term = search_term.strip()
        if not term:
            return queryset, False
        matches = Q(pk__in=Variant.objects.filter(sku__iexact=term[:64]).values("product_id"))
        words = fold_text(term).split()[:MAX_SEARCH_WORDS]
        if words:
            by_words = Q()
            for word in words:
                by_words &= Q(search_text__contains=word)
            matches |= by_words
        return queryset.filter(matches), False

    def save_model(self, request, obj: Product, form, change: bool) -> None:
        with service_refusals():
            product_save(product=obj)

    def save_formset(self, request, form, formset: BaseInlineFormSet, change: bool) -> None:
        if formset.model is Variant:
            _variants_save(formset)
        elif formset.model is ProductImage:
            _images_save(formset)
        else:  # pragma: no cover - every inline of this page is handled above
            raise NotImplementedError(formset.model)

    def delete_model(self, request, obj: Product) -> None:
        super().delete_model(request, obj)
        catalog_changed()

    def delete_queryset(self, request, queryset: QuerySet[Product]) -> None:
        super().delete_queryset(request, queryset)
        catalog_changed()


def _variants_save(formset: BaseInlineFormSet) -> None:
    """Save each new or changed variant through the service; removals refresh the product."""
    formset.save(commit=False)
    for variant in formset.deleted_objects:
        variant.delete()
    for variant_form in formset.saved_forms:
        with service_refusals(variant_form.prefix):
            variant_save(variant=variant_form.instance)
    if formset.deleted_objects:
        product_summary_refresh(product=formset.instance)
        catalog_changed()


def _images_save(formset: BaseInlineFormSet) -> None:
    """Hand each new photo to the service, which keeps it and makes its thumbnails."""
    formset.save(commit=False)
    for image in formset.deleted_objects:
        image.delete()
    added = []
    for image_form in formset.saved_forms:
        if image_form.instance.pk:
            continue  # a kept photo does not change: its fields are read-only
        with service_refusals(image_form.prefix):
            added.append(
                product_image_add(
                    product=formset.instance,
                    upload=image_form.cleaned_data["upload"],
                    alt_en=image_form.cleaned_data.get("alt_en", ""),
                    alt_ar=image_form.cleaned_data.get("alt_ar", ""),
                )
            )
    formset.new_objects = added  # what the page's history records
    if formset.deleted_objects:
        catalog_changed()


@admin.register(Variant, site=backoffice_site)
class VariantAdmin(StaffPageMixin, RefusalsOnTheFormMixin, admin.ModelAdmin):
    """Variants across products, for stock takes: the stock column is edited in the list."""

    form = VariantForm
    fields = ("product", *VariantForm.Meta.fields, "position")
    readonly_fields = ("product",)
    list_display = ("sku", "product", "options_label", "price", "stock", "is_active")
    list_editable = ("stock",)
    list_filter = ("is_active",)
    list_select_related = ("product",)
    search_fields = ("sku",)
    show_full_result_count = False

    @admin.display(description=_("options"))
    def options_label(self, variant: Variant) -> str:
        return variant.options_label or NOTHING

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a variant is added on its product's page

    def save_model(self, request, obj: Variant, form, change: bool) -> None:
        with service_refusals():
            if form.changed_data == ["stock"]:
                stock_set(variant=obj, quantity=obj.stock)
            else:
                variant_save(variant=obj)

    def delete_model(self, request, obj: Variant) -> None:
        super().delete_model(request, obj)
        product_summary_refresh(product=obj.product)
        catalog_changed()

    def delete_queryset(self, request, queryset: QuerySet[Variant]) -> None:
        products = list(Product.objects.filter(variants__in=queryset).distinct())
        super().delete_queryset(request, queryset)
        for product in products:
            product_summary_refresh(product=product)
        catalog_changed()
