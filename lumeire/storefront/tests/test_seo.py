"""What search engines and link previews read: canonical links, languages, titles, structured
data, the sitemap and robots.txt; and how uploaded photos are served."""

from __future__ import annotations

import json
import re
from xml.etree import ElementTree

import pytest
from django.test import Client

from lumeire.catalog.services import product_save
from lumeire.storefront.tests.shop import page, photo

pytestmark = pytest.mark.django_db

SITE = "https://shop.example"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)


@pytest.fixture(autouse=True)
def _site_address(settings):
    settings.LUMEIRE_SITE_URL = SITE


def links(document) -> dict[str, str]:
    found = {}
    for link in document.find_all("link"):
        rel = link.attrs.get("rel")
        if rel == "canonical":
            found["canonical"] = link.attrs["href"]
        elif rel == "alternate":
            found[link.attrs["hreflang"]] = link.attrs["href"]
    return found


def head_text(document, tag: str, name: str | None = None) -> list[str]:
    if name is None:
        return [e.text for e in document.find_all(tag)]
    return [e.attrs["content"] for e in document.find_all(tag) if e.attrs.get("name") == name]


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("/en/c/women/?sort=price&min_price=10&utm_source=mail&cursor=abc", "/en/c/women/"),
        ("/ar/c/women/?fbclid=xyz", "/ar/c/women/"),
        ("/en/p/silk-evening-dress/?variant=SILK-L&gclid=1", "/en/p/silk-evening-dress/"),
        ("/ar/", "/ar/"),
        ("/en/search/?q=silk&utm_campaign=x&sort=price", "/en/search/?q=silk"),
    ],
)
def test_canonical_links_drop_tracking_and_list_both_languages(client, shop, url, canonical):
    response = client.get(url)
    found = links(parse_page(response))

    assert found["canonical"] == SITE + canonical
    english = canonical.replace("/ar/", "/en/", 1)
    assert found["en"] == SITE + english
    assert found["ar"] == SITE + english.replace("/en/", "/ar/", 1)
    assert found["x-default"] == SITE + english.replace("/en/", "/", 1)


def test_the_address_without_a_language_picks_the_visitors(client, shop):
    response = client.get("/p/oud-perfume/", headers={"accept-language": "ar"})

    assert (response.status_code, response["Location"]) == (302, "/ar/p/oud-perfume/")


def parse_page(response):
    from lumeire.core.tests.markup import parse

    return parse(response.content.decode())


def test_titles_and_descriptions_name_what_the_page_shows(client, shop):
    category = page(client, "/en/c/dresses/")
    product = page(client, "/ar/p/silk-evening-dress/")

    assert head_text(category, "title") == ["Dresses · Lumeire"]
    description = head_text(category, "meta", "description")
    assert len(description) == 1 and "Dresses" in description[0] and "2 products" in description[0]
    assert head_text(product, "title") == ["فستان سهرة حرير · سهرة · Lumeire"]
    assert head_text(product, "meta", "description") == ["حرير خالص."]


def test_search_and_cart_pages_are_not_indexed(client, shop):
    for url in ("/en/search/?q=silk", "/en/cart/"):
        robots = head_text(page(client, url), "meta", "robots")
        assert robots and robots[0].startswith("noindex"), url


def json_ld(client: Client, url: str) -> dict:
    blocks = JSON_LD.findall(client.get(url).content.decode())
    assert len(blocks) == 1
    return json.loads(blocks[0])


def test_product_structured_data_has_offers_priced_with_vat(client, shop):
    data = json_ld(client, "/en/p/silk-evening-dress/")

    assert (data["@context"], data["@type"], data["name"]) == (
        "https://schema.org",
        "Product",
        "Silk evening dress",
    )
    assert data["url"] == f"{SITE}/en/p/silk-evening-dress/"
    assert len(data["image"]) == 2 and data["image"][0].startswith(f"{SITE}/media/")
    assert [
        (o["sku"], o["price"], o["priceCurrency"], o["availability"]) for o in data["offers"]
    ] == [
        ("SILK-M", "460.00", "SAR", "https://schema.org/InStock"),
        ("SILK-L", "483.00", "SAR", "https://schema.org/InStock"),
        ("SILK-S", "437.00", "SAR", "https://schema.org/OutOfStock"),
    ]


def test_structured_data_cannot_close_its_script_element(client, shop):
    shop.lamp.name_en = "Lamp </script><script>alert(1)</script> & <!-- shade"
    product_save(product=shop.lamp)

    body = client.get("/en/p/brass-table-lamp/").content.decode()
    block = JSON_LD.findall(body)[0]

    assert "<" not in block and ">" not in block
    assert json.loads(block)["name"] == shop.lamp.name_en
    # The data block is the page's one script element without a src (the others load files).
    assert body.count("<script") - body.count("<script src=") == 1


def xml(content: bytes) -> ElementTree.Element:
    return ElementTree.fromstring(content)  # noqa: S314 - the store's own sitemap


def sitemap_urls(client: Client, url: str) -> dict[str, dict[str, str]]:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    root = xml(response.content)
    found = {}
    for entry in root.iter(f"{SITEMAP}url"):
        loc = entry.find(f"{SITEMAP}loc").text
        found[loc] = {
            link.attrib["hreflang"]: link.attrib["href"] for link in entry.iter(f"{XHTML}link")
        }
    return found


def test_the_sitemap_lists_categories_and_products_in_both_languages(client, shop):
    shop.cotton.is_active = False
    product_save(product=shop.cotton)
    index = xml(client.get("/sitemap.xml").content)
    sections = [loc.text for loc in index.iter(f"{SITEMAP}loc")]
    assert sections == [f"{SITE}/sitemap-categories.xml", f"{SITE}/sitemap-products.xml"]

    products = sitemap_urls(client, "/sitemap-products.xml")
    slugs = ["silk-evening-dress", "brass-table-lamp", "oud-perfume"]
    assert sorted(products) == sorted(
        f"{SITE}/{language}/p/{slug}/" for slug in slugs for language in ("en", "ar")
    )
    assert products[f"{SITE}/ar/p/oud-perfume/"] == {
        "en": f"{SITE}/en/p/oud-perfume/",
        "ar": f"{SITE}/ar/p/oud-perfume/",
        "x-default": f"{SITE}/p/oud-perfume/",
    }
    categories = sitemap_urls(client, "/sitemap-categories.xml")
    assert f"{SITE}/ar/c/evening/" in categories and f"{SITE}/en/c/home/" in categories
    assert client.get("/sitemap-nothing.xml").status_code == 404


def test_robots_txt_points_at_the_sitemap(client):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert f"Sitemap: {SITE}/sitemap.xml" in lines
    assert "Disallow: /backoffice/" in lines and "Disallow: /*/cart/" in lines


def test_favicon_is_the_stores_icon(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert response.content[:4] == b"\x00\x00\x01\x00"  # an ICO header, not a page
    assert "max-age=86400" in response["Cache-Control"]
    assert client.head("/favicon.ico").status_code == 200
    assert client.post("/favicon.ico").status_code == 405


def test_pages_point_at_the_favicon(client):
    body = client.get("/en/").content.decode()

    assert '<link rel="icon" href="/favicon.ico" sizes="any">' in body


def test_uploaded_photos_are_served_for_a_year(client, shop):
    src = shop.silk.images.first().thumbnail.url
    response = client.get(src)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert directives == {"public", "max-age=31536000", "immutable"}
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"


@pytest.mark.parametrize(
    "path",
    [
        "/media/../config/settings.py",
        "/media/%2e%2e/var/secrets.env",
        "/media/products/../../../etc/passwd",
        "/media/products/thumbs/missing.jpg",
        "/media/products/originals/page.html",
    ],
)
def test_media_refuses_traversal_missing_files_and_non_pictures(client, media_root, path):
    (media_root / "products" / "originals").mkdir(parents=True)
    (media_root / "products" / "originals" / "page.html").write_text("<script>alert(1)</script>")

    response = client.get(path)

    assert response.status_code == 404
    assert "immutable" not in response.get("Cache-Control", "")


def test_an_uploaded_original_keeps_its_name_but_is_served_only_as_a_picture(
    client, shop, media_root
):
    from lumeire.catalog.services import product_image_add

    record = product_image_add(product=shop.lamp, upload=photo("lamp.png"))

    assert client.get(record.original.url).status_code == 200


def test_the_sitemap_is_kept_until_the_catalogue_changes(
    client, shop, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first = client.get("/sitemap-products.xml").content
    with CaptureQueriesContext(connection) as again:
        assert client.get("/sitemap-products.xml").content == first
    assert len(again) <= 1  # the catalogue version

    shop.lamp.slug = "brass-desk-lamp"
    with django_capture_on_commit_callbacks(execute=True):  # the version moves on commit
        product_save(product=shop.lamp)
    assert b"/en/p/brass-desk-lamp/" in client.get("/sitemap-products.xml").content
