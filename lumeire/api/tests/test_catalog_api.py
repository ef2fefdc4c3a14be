"""/api/v1/catalog/ through the full middleware stack: categories, lists, search, one product."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from lumeire.api.tests.helpers import send
from lumeire.catalog.pagination import encode_cursor
from lumeire.catalog.services import category_save, product_save
from lumeire.catalog.tests.factories import make_category, make_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop():
    women = make_category("women", name_en="Women", name_ar="نساء")
    dresses = make_category("dresses", parent=women, name_en="Dresses", name_ar="فساتين")
    home = make_category("home", name_en="Home", name_ar="المنزل")
    return {
        "women": women,
        "dresses": dresses,
        "home": home,
        "silk": make_product(
            category=dresses,
            slug="silk-dress",
            name_en="Silk evening dress",
            name_ar="فستان سهرة حرير",
            description_en="Pure silk.",
            description_ar="حرير خالص.",
            min_age=None,
            variants=[
                {"sku": "SILK-M", "price": "400.00", "stock": 2, "options": {"size": "M"}},
                {"sku": "SILK-L", "price": "420.00", "stock": 0, "options": {"size": "L"}},
            ],
        ),
        "cotton": make_product(
            category=dresses,
            slug="cotton-dress",
            name_en="Cotton day dress",
            name_ar="فستان قطن",
            price="150.00",
            stock=0,
            age_days=3,
        ),
        "lamp": make_product(
            category=home,
            slug="brass-lamp",
            name_en="Brass table lamp",
            name_ar="مصباح نحاسي",
            price="80.00",
            age_days=1,
        ),
        "oud": make_product(
            category=home,
            slug="oud-perfume",
            name_en="Oud perfume",
            name_ar="عطر العود",
            price="250.00",
            min_age=18,
            age_days=2,
        ),
    }


def listed(query: str = "", **kwargs) -> list[str]:
    response = send("GET", f"/catalog/products{'?' + query if query else ''}", **kwargs)
    assert response.status_code == 200, response.content
    return [item["slug"] for item in response.json()["items"]]


# --- Categories ---------------------------------------------------------------------------------


def test_categories_come_in_tree_order_with_parents_and_branch_counts(shop):
    response = send("GET", "/catalog/categories")

    assert response.status_code == 200
    assert response.json() == [
        {"slug": "women", "name": "Women", "parent": None, "product_count": 2},
        {"slug": "dresses", "name": "Dresses", "parent": "women", "product_count": 2},
        {"slug": "home", "name": "Home", "parent": None, "product_count": 2},
    ]


def test_categories_are_named_in_the_requests_language(shop):
    names = [c["name"] for c in send("GET", "/catalog/categories", language="ar").json()]

    assert names == ["نساء", "فساتين", "المنزل"]


def test_a_hidden_category_hides_its_whole_branch(shop):
    shop["women"].is_active = False
    category_save(category=shop["women"])

    assert [c["slug"] for c in send("GET", "/catalog/categories").json()] == ["home"]


# --- Lists, filters, sorting --------------------------------------------------------------------


def test_a_page_item_has_the_contracts_fields_with_the_shelf_price(shop):
    response = send("GET", "/catalog/products?category=home&sort=price")

    assert response.status_code == 200
    body = response.json()
    assert body["next_cursor"] is None
    assert body["items"][0] == {
        "slug": "brass-lamp",
        "name": "Brass table lamp",
        "price": {"amount": "92.00", "currency": "SAR"},  # 80 + 15 % VAT
        "image": None,
        "in_stock": True,
    }


def test_names_follow_the_requests_language(shop):
    response = send("GET", "/catalog/products?category=home&sort=price", language="ar")

    assert [item["name"] for item in response.json()["items"]] == ["مصباح نحاسي", "عطر العود"]


def test_a_category_lists_its_whole_branch(shop):
    assert sorted(listed("category=women")) == ["cotton-dress", "silk-dress"]
    assert sorted(listed("category=dresses")) == ["cotton-dress", "silk-dress"]


def test_price_and_stock_filters(shop):
    assert sorted(listed("min_price=90&max_price=200")) == ["brass-lamp", "cotton-dress"]
    assert sorted(listed("in_stock=true")) == ["brass-lamp", "oud-perfume", "silk-dress"]
    assert len(listed("in_stock=false")) == 4


def test_in_stock_and_a_price_range_apply_to_the_same_variant(shop):
    # Silk: M at 460.00 in stock, L at 483.00 sold out. Nothing in stock costs 470 or more.
    assert listed("min_price=470") == ["silk-dress"]
    assert listed("min_price=470&in_stock=true") == []
    assert listed("min_price=460&max_price=460&in_stock=true") == ["silk-dress"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("price", ["brass-lamp", "cotton-dress", "oud-perfume", "silk-dress"]),
        ("-price", ["silk-dress", "oud-perfume", "cotton-dress", "brass-lamp"]),
        ("newest", ["silk-dress", "brass-lamp", "oud-perfume", "cotton-dress"]),
        ("", ["silk-dress", "brass-lamp", "oud-perfume", "cotton-dress"]),
    ],
)
def test_sorting(shop, sort, expected):
    assert listed(f"sort={sort}") == expected


@pytest.mark.parametrize("sort", ["price", "-price", "newest", "relevance"])
def test_walking_every_next_cursor_visits_each_product_once(sort):
    category = make_category()
    made = {
        make_product(category=category, price=str(10 + i % 4), age_days=i % 3).slug
        for i in range(23)
    }
    query = "&q=product" if sort == "relevance" else ""
    seen, cursor, pages = [], None, 0
    while pages < 20:
        path = f"/catalog/products?sort={sort}&limit=5{query}"
        response = send("GET", path + (f"&cursor={cursor}" if cursor else ""))
        assert response.status_code == 200, response.content
        seen += [item["slug"] for item in response.json()["items"]]
        pages += 1
        cursor = response.json()["next_cursor"]
        if cursor is None:
            break

    assert pages == 5
    assert len(seen) == len(set(seen)) == 23
    assert set(seen) == made


def test_limit_defaults_to_24_and_stops_at_100():
    category = make_category()
    for _ in range(25):
        make_product(category=category)

    assert len(listed()) == 24
    assert len(listed("limit=100")) == 25
    assert send("GET", "/catalog/products?limit=101").status_code == 400


# --- Search -------------------------------------------------------------------------------------


def test_search_finds_english_and_arabic_names(shop):
    assert listed("q=silk+dress") == ["silk-dress"]
    assert sorted(listed("q=فستان")) == ["cotton-dress", "silk-dress"]
    assert "oud-perfume" in listed("q=العُود")  # diacritics ignored
    assert listed("q=فستان&category=home") == []


def test_search_honours_filters_and_other_sorts(shop):
    assert listed("q=dress&sort=price") == ["cotton-dress", "silk-dress"]
    assert listed("q=dress&in_stock=true") == ["silk-dress"]


def test_a_one_letter_typo_still_finds_the_product(shop):
    assert "oud-perfume" in listed("q=parfume")


@pytest.mark.parametrize("query", ["'%3B--", "%F0%9F%92%A9", "%ED%A0%80", "a" * 500, "&&&", "***"])
def test_odd_search_text_is_never_an_error(shop, query):
    assert send("GET", f"/catalog/products?q={query}").status_code == 200


def test_a_nul_in_the_search_text_is_a_400_naming_the_field(shop):
    response = send("GET", "/catalog/products?q=a%00b")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["q"]


@given(text=st.text(max_size=200))
def test_search_never_errors_on_any_text(shop, text):
    response = Client().get("/api/v1/catalog/products", {"q": text, "limit": "5"})

    # PostgreSQL cannot hold a NUL in text: refused at the door, never a 500.
    assert response.status_code == (400 if "\x00" in text else 200)
    if response.status_code == 200:
        assert len(response.json()["items"]) <= 5


# --- Refusals -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("min_price=cheap", "min_price"),
        ("max_price=-1", "max_price"),
        ("max_price=NaN", "max_price"),
        ("in_stock=perhaps", "in_stock"),
        ("sort=cheapest", "sort"),
        ("limit=0", "limit"),
        ("limit=ten", "limit"),
        ("cursor=not-a-cursor!", "cursor"),
        ("category=no-such-shelf", "category"),
    ],
)
def test_bad_parameters_are_a_400_keyed_by_the_parameter(shop, query, field):
    response = send("GET", f"/catalog/products?{query}")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]
    assert response.json()["detail"]


def test_an_unknown_category_says_so():
    response = send("GET", "/catalog/products?category=no-such-shelf")

    assert response.json()["errors"] == {"category": ["No such category."]}


@pytest.mark.parametrize(
    "position",
    [
        {"min_price": "cheap", "id": 1},
        {"min_price": "Infinity", "id": 1},
        {"min_price": "10", "id": 10**30},
        {"created_at": "10", "id": 1},
        {"offset": 5},
        [1, 2],
    ],
)
def test_an_altered_cursor_is_a_400_not_a_database_error(shop, position):
    cursor = encode_cursor(position) if isinstance(position, dict) else "WzEsMl0"
    response = send("GET", f"/catalog/products?sort=price&cursor={cursor}")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["cursor"]


# --- One product --------------------------------------------------------------------------------


def test_a_product_with_its_variants_and_shelf_prices(shop):
    response = send("GET", "/catalog/products/silk-dress")

    assert response.status_code == 200
    assert response.json() == {
        "slug": "silk-dress",
        "name": "Silk evening dress",
        "description": "Pure silk.",
        "category": "dresses",
        "images": [],
        "variants": [
            {
                "sku": "SILK-M",
                "options": {"size": "M"},
                "price": {"amount": "460.00", "currency": "SAR"},
                "in_stock": True,
            },
            {
                "sku": "SILK-L",
                "options": {"size": "L"},
                "price": {"amount": "483.00", "currency": "SAR"},
                "in_stock": False,
            },
        ],
        "min_age": None,
    }


def test_a_product_in_arabic_with_its_minimum_age(shop):
    body = send("GET", "/catalog/products/oud-perfume", language="ar").json()

    assert (body["name"], body["min_age"]) == ("عطر العود", 18)
    assert send("GET", "/catalog/products/silk-dress", language="ar").json()["description"] == (
        "حرير خالص."
    )


def test_hidden_and_unknown_products_are_404(shop):
    shop["lamp"].is_active = False
    product_save(product=shop["lamp"])

    for slug in ("brass-lamp", "no-such-thing"):
        response = send("GET", f"/catalog/products/{slug}")
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."}
    assert "brass-lamp" not in listed()


def test_image_addresses_are_absolute_thumbnails_and_display_sizes(shop, settings, tmp_path):
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from lumeire.catalog.services import product_image_add

    settings.MEDIA_ROOT = tmp_path
    buffer = BytesIO()
    Image.new("RGB", (800, 600), "navy").save(buffer, format="PNG")
    product_image_add(
        product=shop["lamp"],
        upload=SimpleUploadedFile("lamp.png", buffer.getvalue(), content_type="image/png"),
    )

    card = send("GET", "/catalog/products?category=home&sort=price").json()["items"][0]
    detail = send("GET", "/catalog/products/brass-lamp").json()

    assert card["image"].startswith("http://testserver/media/products/thumbs/")
    assert len(detail["images"]) == 1
    assert detail["images"][0].startswith("http://testserver/media/products/display/")


# --- The contract -------------------------------------------------------------------------------

# The Catalogue and cart table of API.md, path by path.
CONTRACT = {
    "/api/v1/catalog/categories": {"get"},
    "/api/v1/catalog/products": {"get"},
    "/api/v1/catalog/products/{slug}": {"get"},
    "/api/v1/cart": {"get"},
    "/api/v1/cart/lines": {"post"},
    "/api/v1/cart/lines/{id}": {"patch", "delete"},
}


def test_the_openapi_document_lists_every_catalogue_and_cart_path_with_its_errors():
    paths = send("GET", "/openapi.json").json()["paths"]

    for path, methods in CONTRACT.items():
        assert path in paths, path
        assert methods <= set(paths[path]), path
        for method in methods:
            responses = paths[path][method]["responses"]
            errors = [code for code in responses if code.startswith("4")]
            assert errors or path == "/api/v1/catalog/categories", (path, method)
            for code in errors:
                schema = responses[code]["content"]["application/json"]["schema"]
                assert schema["$ref"].endswith("/ErrorSchema"), (path, method, code)
    assert "X-Cart-Token" in paths["/api/v1/cart/lines"]["post"]["responses"]["201"]["headers"]
    assert "Retry-After" in paths["/api/v1/cart/lines"]["post"]["responses"]["429"]["headers"]
    signin = paths["/api/v1/accounts/signin"]["post"]
    assert "X-Cart-Token" in [parameter["name"] for parameter in signin["parameters"]]


@pytest.mark.parametrize("query", ["category=women", "q=dress", "sort=price&in_stock=true"])
def test_a_page_costs_a_few_queries_whatever_its_size(shop, query, django_assert_max_num_queries):
    for product in range(30):
        make_product(category=shop["dresses"], name_en=f"Linen dress {product}")

    for limit in (5, 100):
        caches["default"].clear()  # product cards not read yet: the most a page can cost
        # The shelf and its branch, the ids of the page, the catalogue version, then the cards:
        # products with their price spread, and their photos.
        with django_assert_max_num_queries(6):
            response = send("GET", f"/catalog/products?{query}&limit={limit}")
        assert response.status_code == 200
        # Cached cards read no product, variant or photo again.
        with django_assert_max_num_queries(4):
            assert send("GET", f"/catalog/products?{query}&limit={limit}").status_code == 200
