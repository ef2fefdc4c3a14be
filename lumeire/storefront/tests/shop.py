"""A small shop for the storefront's tests, made through the catalogue services."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from lumeire.catalog.models import Category, Product
from lumeire.catalog.services import product_image_add
from lumeire.catalog.tests.factories import make_category, make_product
from lumeire.core.tests.markup import Element, parse

NEXT_LINK = re.compile(r'<a class="button" href="([^"]*)" rel="next">')


def photo(name: str = "photo.png", colour: str = "orange") -> SimpleUploadedFile:
    """A small PNG, as a browser would upload it."""
    buffer = io.BytesIO()
    Image.new("RGB", (40, 40), colour).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@dataclass
class Shop:
    women: Category
    dresses: Category
    evening: Category
    home: Category
    silk: Product
    cotton: Product
    lamp: Product
    oud: Product


def make_shop() -> Shop:
    """Four products in a three-level branch and a second top category."""
    women = make_category("women", name_en="Women", name_ar="نساء")
    dresses = make_category("dresses", parent=women, name_en="Dresses", name_ar="فساتين")
    evening = make_category("evening", parent=dresses, name_en="Evening", name_ar="سهرة")
    home = make_category("home", name_en="Home", name_ar="المنزل")
    silk = make_product(
        category=evening,
        slug="silk-evening-dress",
        name_en="Silk evening dress",
        name_ar="فستان سهرة حرير",
        description_en="Pure silk, cut on the bias.",
        description_ar="حرير خالص.",
        is_featured=True,
        variants=[
            {"sku": "SILK-M", "price": "400.00", "stock": 2, "options": {"size": "M"}},
            {"sku": "SILK-L", "price": "420.00", "stock": 9, "options": {"size": "L"}},
            {"sku": "SILK-S", "price": "380.00", "stock": 0, "options": {"size": "S"}},
        ],
    )
    product_image_add(product=silk, upload=photo("silk-front.png"), alt_en="Front", alt_ar="أمام")
    product_image_add(product=silk, upload=photo("silk-back.png", "navy"), alt_en="Back")
    cotton = make_product(
        category=dresses,
        slug="cotton-day-dress",
        name_en="Cotton day dress",
        name_ar="فستان قطن",
        variants=[{"sku": "COTTON-S", "price": "150.00", "stock": 0, "options": {"size": "S"}}],
        age_days=3,
    )
    lamp = make_product(
        category=home,
        slug="brass-table-lamp",
        name_en="Brass table lamp",
        name_ar="مصباح نحاسي",
        variants=[{"sku": "LAMP", "price": "80.00", "stock": 7}],
        is_featured=True,
        age_days=1,
    )
    oud = make_product(
        category=home,
        slug="oud-perfume",
        name_en="Oud perfume",
        name_ar="عطر العود",
        description_ar="عِطْرٌ فاخِر",
        variants=[{"sku": "OUD", "price": "250.00", "stock": 4}],
        min_age=18,
        age_days=2,
    )
    return Shop(women, dresses, evening, home, silk, cotton, lamp, oud)


def page(client: Client, url: str, status: int = 200) -> Element:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return parse(response.content.decode())


def product_names(document: Element) -> list[str]:
    """The names on the product cards, in the order shown."""
    return [
        span.text.strip()
        for span in document.find_all("span")
        if span.attrs.get("class") == "product-card__name"
    ]


def with_class(document: Element, tag: str, name: str) -> list[Element]:
    return [e for e in document.find_all(tag) if name in e.attrs.get("class", "").split()]


def text_of(document: Element, tag: str, name: str) -> list[str]:
    return [" ".join(e.text.split()) for e in with_class(document, tag, name)]


def next_link(html: str) -> str | None:
    found = NEXT_LINK.search(html)
    return found[1].replace("&amp;", "&") if found else None
