"""Catalogue managers at work: real admin forms posted, every save through the services."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from PIL import Image

from lumeire.backoffice import catalog_admin
from lumeire.backoffice.tests.factories import png_upload
from lumeire.catalog.errors import CatalogError, CatalogErrorCode
from lumeire.catalog.models import Category, Product, ProductImage, Variant
from lumeire.catalog.services import catalog_version
from lumeire.catalog.tests.factories import make_category, make_product

pytestmark = pytest.mark.django_db

PRODUCTS = "/backoffice/catalog/product/"
CATEGORIES = "/backoffice/catalog/category/"
VARIANTS = "/backoffice/catalog/variant/"


def _management(prefix: str, total: int, initial: int = 0) -> dict[str, str]:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def _variant_row(index: int, **values: str) -> dict[str, str]:
    row = {
        "id": "",
        "product": "",
        "sku": "",
        "options": "{}",
        "price": "",
        "compare_at_price": "",
        "stock": "0",
        "is_active": "on",
        **values,
    }
    return {f"variants-{index}-{name}": value for name, value in row.items()}


def _product_form(category: Category, *variants: dict[str, str], **values: str) -> dict:
    data = {
        "category": str(category.pk),
        "name_en": "Amber Evening Eau de Parfum",
        "name_ar": "عطر أمسية العنبر",
        "slug": "amber-evening",
        "description_en": "Warm amber and vanilla.",
        "description_ar": "عنبر دافئ وفانيليا.",
        "is_active": "on",
        "min_age": "",
        "_save": "Save",
        **_management("variants", len(variants)),
        **_management("images", 0),
        **values,
    }
    for index, row in enumerate(variants):
        data.update(_variant_row(index, **row))
    return data


def _errors(response) -> str:
    return response.content.decode()


def test_manager_lists_categories_products_and_variants(manager_client):
    product = make_product(category=make_category(name_en="Perfume"), name_en="Rose Mist")
    for url in (CATEGORIES, PRODUCTS, VARIANTS, f"{PRODUCTS}{product.pk}/change/"):
        response = manager_client.get(url)
        assert response.status_code == 200, url
    assert b"Rose Mist" in manager_client.get(PRODUCTS).content


def test_manager_builds_a_three_level_category_tree(manager_client):
    parent = None
    for depth, slug in enumerate(("clothing", "women", "dresses")):
        data = {
            "parent": str(parent.pk) if parent else "",
            "slug": slug,
            "name_en": slug.title(),
            "name_ar": f"فئة {slug}",
            "position": "0",
            "is_active": "on",
            "_save": "Save",
        }
        response = manager_client.post(f"{CATEGORIES}add/", data)
        assert response.status_code == 302, _errors(response)
        category = Category.objects.get(slug=slug)
        assert category.depth == depth
        assert category.parent == parent
        parent = category
    clothing, women, dresses = (
        Category.objects.get(slug=s) for s in ("clothing", "women", "dresses")
    )
    assert dresses.path == f"{clothing.pk}/{women.pk}/{dresses.pk}/"
    listing = manager_client.get(CATEGORIES).content.decode()
    assert 'class="backoffice-depth backoffice-depth-2">Dresses<' in listing
    form = manager_client.get(f"{PRODUCTS}add/").content.decode()
    assert "— — Dresses / فئة dresses" in form


def test_category_cannot_move_under_its_own_child(manager_client):
    top = make_category("top")
    child = make_category("child", parent=top)
    data = {
        "parent": str(child.pk),
        "slug": "top",
        "name_en": top.name_en,
        "name_ar": top.name_ar,
        "position": "0",
        "is_active": "on",
        "_save": "Save",
    }
    response = manager_client.post(f"{CATEGORIES}{top.pk}/change/", data)
    assert response.status_code == 200
    assert "A category cannot be placed inside itself or one of its children." in _errors(response)
    top.refresh_from_db()
    assert top.parent is None and top.path == f"{top.pk}/"


def test_manager_adds_a_product_with_a_variant(manager_client, django_capture_on_commit_callbacks):
    category = make_category("perfume")
    version = catalog_version()
    with django_capture_on_commit_callbacks(execute=True):  # the version moves on commit
        response = manager_client.post(
            f"{PRODUCTS}add/",
            _product_form(
                category,
                {"sku": "AMB-50", "options": '{"size": "50 ml"}', "price": "200.00", "stock": "7"},
            ),
        )
    assert response.status_code == 302, _errors(response)
    product = Product.objects.get(slug="amber-evening")
    variant = product.variants.get()
    assert (variant.sku, variant.options, variant.price, variant.stock) == (
        "AMB-50",
        {"size": "50 ml"},
        Decimal("200.00"),
        7,
    )
    # Kept by the services: the shelf price with VAT, stock state, listing and search text.
    assert product.min_price == Decimal("230.00")
    assert product.in_stock and product.is_listed
    assert "امسيه" in product.search_text  # folded: ة reads as ه
    assert catalog_version() > version


@pytest.mark.parametrize("field", ["price", "compare_at_price"])
def test_negative_price_is_refused_and_nothing_is_saved(manager_client, field):
    category = make_category()
    row = {"sku": "NEG-1", "price": "10.00", field: "-0.01"}
    response = manager_client.post(f"{PRODUCTS}add/", _product_form(category, row))
    assert response.status_code == 200
    assert "A price cannot be below zero." in _errors(response)
    assert not Product.objects.exists()
    assert not Variant.objects.exists()


def test_existing_sku_in_another_case_is_refused_and_nothing_is_saved(manager_client):
    make_product(category=make_category(), variants=[{"sku": "OUD-100", "price": "90"}])
    products, variants = Product.objects.count(), Variant.objects.count()
    response = manager_client.post(
        f"{PRODUCTS}add/",
        _product_form(make_category(), {"sku": " oud-100 ", "price": "10.00"}),
    )
    assert response.status_code == 200
    assert "The SKU oud-100 is already used by another variant." in _errors(response)
    assert (Product.objects.count(), Variant.objects.count()) == (products, variants)


def test_two_new_variants_cannot_share_a_sku(manager_client):
    response = manager_client.post(
        f"{PRODUCTS}add/",
        _product_form(
            make_category(),
            {"sku": "TWIN-1", "price": "10.00"},
            {"sku": "twin-1", "price": "12.00"},
        ),
    )
    assert response.status_code == 200
    assert "Two variants of this product cannot share the SKU twin-1." in _errors(response)
    assert not Product.objects.exists()


def test_options_that_are_not_name_value_pairs_are_refused(manager_client):
    response = manager_client.post(
        f"{PRODUCTS}add/",
        _product_form(make_category(), {"sku": "OPT-1", "price": "1.00", "options": "[1, 2]"}),
    )
    assert response.status_code == 200
    assert "Write the options as" in _errors(response)
    assert not Product.objects.exists()


def test_a_refusal_from_the_service_lands_on_the_row_and_saves_nothing(manager_client, monkeypatch):
    """The form checks first; when the service still refuses (a race), the page says why."""

    def refuse(*, variant):
        raise CatalogError(
            CatalogErrorCode.SKU_TAKEN,
            "The SKU RACE-1 is already used.",
            field_errors={"sku": ["This SKU is already used by another variant."]},
        )

    monkeypatch.setattr(catalog_admin, "variant_save", refuse)
    response = manager_client.post(
        f"{PRODUCTS}add/", _product_form(make_category(), {"sku": "RACE-1", "price": "5.00"})
    )
    assert response.status_code == 200
    html = _errors(response)
    assert "This SKU is already used by another variant." in html
    assert re.search(r'name="variants-0-sku"[^>]*value="RACE-1"', html)
    assert not Product.objects.exists()
    assert not Variant.objects.exists()


def test_a_refusal_of_the_product_itself_lands_on_its_field(manager_client, monkeypatch):
    def refuse(*, product):
        raise CatalogError(
            CatalogErrorCode.SLUG_TAKEN,
            "Another product already uses this address.",
            field_errors={"slug": ["Choose another slug."]},
        )

    monkeypatch.setattr(catalog_admin, "product_save", refuse)
    response = manager_client.post(
        f"{PRODUCTS}add/", _product_form(make_category(), {"sku": "S-1", "price": "5.00"})
    )
    assert response.status_code == 200
    assert "Choose another slug." in _errors(response)
    assert not Product.objects.exists()


def test_a_database_conflict_ends_on_the_form_not_a_500(manager_client, monkeypatch):
    def collide(*, product):
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(catalog_admin, "product_save", collide)
    response = manager_client.post(
        f"{PRODUCTS}add/", _product_form(make_category(), {"sku": "C-1", "price": "5.00"})
    )
    assert response.status_code == 200
    assert "Another change was saved at the same moment." in _errors(response)
    assert not Product.objects.exists()


def _change_form(product: Product, **values) -> dict:
    variants = list(product.variants.all())
    fields = {"slug": product.slug, "name_en": product.name_en, "name_ar": product.name_ar}
    data = _product_form(product.category, **{**fields, **values})
    data.update(_management("variants", len(variants), len(variants)))
    for index, variant in enumerate(variants):
        data.update(
            _variant_row(
                index,
                id=str(variant.pk),
                product=str(product.pk),
                sku=variant.sku,
                options="{}",
                price=str(variant.price),
                stock=str(variant.stock),
            )
        )
    return data


def test_manager_uploads_a_photo_and_thumbnails_are_made(manager_client):
    product = make_product(category=make_category())
    data = _change_form(product)
    data.update(_management("images", 1))
    data.update(
        {
            "images-0-id": "",
            "images-0-product": str(product.pk),
            "images-0-upload": png_upload(),
            "images-0-alt_en": "The bottle",
            "images-0-alt_ar": "الزجاجة",
        }
    )
    response = manager_client.post(f"{PRODUCTS}{product.pk}/change/", data)
    assert response.status_code == 302, _errors(response)
    image = ProductImage.objects.get(product=product)
    assert image.alt_ar == "الزجاجة"
    media = Path(settings.MEDIA_ROOT)
    for stored, largest in ((image.original, 640), (image.thumbnail, 320), (image.display, 960)):
        assert (media / stored.name).is_file()
        with Image.open(media / stored.name) as picture:
            assert max(picture.size) <= largest
    with Image.open(media / image.thumbnail.name) as thumbnail:
        assert thumbnail.size == (320, 240)
    page = manager_client.get(f"{PRODUCTS}{product.pk}/change/").content.decode()
    assert f'src="{image.thumbnail.url}"' in page


def test_a_file_that_is_not_an_image_is_refused(manager_client):
    product = make_product(category=make_category())
    data = _change_form(product)
    data.update(_management("images", 1))
    fake = SimpleUploadedFile("photo.png", b"not a picture at all", content_type="image/png")
    data.update({"images-0-id": "", "images-0-product": str(product.pk), "images-0-upload": fake})
    response = manager_client.post(f"{PRODUCTS}{product.pk}/change/", data)
    assert response.status_code == 200
    assert "Upload a valid image." in _errors(response)
    assert not ProductImage.objects.exists()


def test_removing_a_variant_refreshes_the_product(manager_client):
    product = make_product(
        category=make_category(),
        variants=[{"sku": "LOW-1", "price": "10", "stock": 0}, {"sku": "HIGH-1", "price": "50"}],
    )
    data = _change_form(product)
    data["variants-1-DELETE"] = "on"  # HIGH-1, the only one in stock
    response = manager_client.post(f"{PRODUCTS}{product.pk}/change/", data)
    assert response.status_code == 302, _errors(response)
    product.refresh_from_db()
    assert list(product.variants.values_list("sku", flat=True)) == ["LOW-1"]
    assert product.in_stock is False
    assert product.min_price == Decimal("11.50")


def test_renaming_a_product_refreshes_its_search_text(manager_client):
    product = make_product(category=make_category())
    response = manager_client.post(
        f"{PRODUCTS}{product.pk}/change/", _change_form(product, name_en="Crème Brûlée Candle")
    )
    assert response.status_code == 302, _errors(response)
    product.refresh_from_db()
    assert "creme brulee candle" in product.search_text


def test_stock_take_in_the_variant_list_goes_through_the_service(manager_client):
    product = make_product(category=make_category(), variants=[{"sku": "CNT-1", "stock": 4}])
    variant = product.variants.get()
    data = {
        **_management("form", 1, 1),
        "form-0-id": str(variant.pk),
        "form-0-stock": "0",
        "_save": "Save",
    }
    response = manager_client.post(VARIANTS, data)
    assert response.status_code == 302
    variant.refresh_from_db()
    product.refresh_from_db()
    assert variant.stock == 0
    assert product.in_stock is False


def test_negative_stock_in_the_list_is_refused(manager_client):
    product = make_product(category=make_category(), variants=[{"sku": "CNT-2", "stock": 4}])
    variant = product.variants.get()
    data = {**_management("form", 1, 1), "form-0-id": str(variant.pk), "form-0-stock": "-3"}
    data["_save"] = "Save"
    response = manager_client.post(VARIANTS, data)
    assert response.status_code == 200
    variant.refresh_from_db()
    assert variant.stock == 4


def test_stock_refused_by_the_service_is_reported_and_changes_nothing(manager_client, monkeypatch):
    product = make_product(category=make_category(), variants=[{"sku": "CNT-3", "stock": 4}])
    variant = product.variants.get()

    def refuse(*, variant, quantity):
        raise CatalogError(CatalogErrorCode.INVALID_INPUT, "Stock cannot be below zero.")

    monkeypatch.setattr(catalog_admin, "stock_set", refuse)
    data = {**_management("form", 1, 1), "form-0-id": str(variant.pk), "form-0-stock": "2"}
    data["_save"] = "Save"
    response = manager_client.post(VARIANTS, data, follow=True)
    assert response.status_code == 200
    assert b"Stock cannot be below zero." in response.content
    variant.refresh_from_db()
    assert variant.stock == 4


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("creme", True),
        ("CRÈME", True),
        ("احمر", True),
        ("أحمر", True),
        ("red-sku-9", True),
        ("lavender", False),
    ],
)
def test_product_search_folds_case_accents_and_arabic_letters(manager_client, query, found):
    make_product(
        category=make_category(),
        name_en="Crème Rouge",
        name_ar="أحمر الشفاه",
        variants=[{"sku": "RED-SKU-9"}],
    )
    make_product(category=make_category(), name_en="Plain Soap", name_ar="صابون")
    response = manager_client.get(PRODUCTS, {"q": query})
    assert response.status_code == 200
    assert ("Crème Rouge" in response.content.decode()) is found
    assert b"Plain Soap" not in response.content


def test_product_filters_by_stock_and_category(manager_client):
    shoes = make_category(name_en="Shoes")
    make_product(category=shoes, name_en="Sold Out Sandal", stock=0)
    make_product(category=make_category(), name_en="Stocked Scarf", stock=3)
    html = manager_client.get(PRODUCTS, {"in_stock__exact": "0"}).content.decode()
    assert "Sold Out Sandal" in html and "Stocked Scarf" not in html
    html = manager_client.get(PRODUCTS, {"category__id__exact": shoes.pk}).content.decode()
    assert "Sold Out Sandal" in html and "Stocked Scarf" not in html


def test_deleting_a_product_invalidates_cached_catalogue_pages(
    manager_client, django_capture_on_commit_callbacks
):
    product = make_product(category=make_category())
    version = catalog_version()
    with django_capture_on_commit_callbacks(execute=True):  # the version moves on commit
        response = manager_client.post(f"{PRODUCTS}{product.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Product.objects.filter(pk=product.pk).exists()
    assert catalog_version() > version


def test_back_office_pages_carry_no_inline_style_or_script(manager_client):
    """The CSP allows scripts and styles from files only."""
    product = make_product(category=make_category())
    for url in ("/backoffice/", f"{PRODUCTS}add/", f"{PRODUCTS}{product.pk}/change/", PRODUCTS):
        html = manager_client.get(url).content.decode()
        assert not re.search(r"\sstyle=", html), url
        for script in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in script or 'type="application/json"' in script, (url, script)
