"""Catalogue pages run a fixed number of queries whatever the page size, and cached fragments
are replaced as soon as staff change the catalogue."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lumeire.catalog.models import Product
from lumeire.catalog.services import category_save, product_image_add, product_save
from lumeire.catalog.tests.factories import make_category, make_product
from lumeire.storefront.tests.shop import page, photo, product_names

pytestmark = pytest.mark.django_db

# Queries of a first (uncached) view by a visitor without a session, counting the read of the
# catalogue version (a table of the shared cache when there is no Redis). PostgreSQL's search
# first asks whether anything matches as typed before allowing typos: one more query. Each list
# of product cards reads its variants' price spread once (the cards' "from" prices): one more.
BUDGETS = {
    "category": 12,
    "search": 8 if connection.vendor == "postgresql" else 7,
    "product": 10,
}


@pytest.fixture
def shelf(media_root):
    """30 products with photos and two variants each, in a branch of three categories."""
    top = make_category("top", name_en="Top", name_ar="أعلى")
    middle = make_category("middle", parent=top, name_en="Middle", name_ar="وسط")
    bottom = make_category("bottom", parent=middle, name_en="Bottom", name_ar="أسفل")
    for number in range(30):
        product = make_product(
            category=(top, middle, bottom)[number % 3],
            slug=f"lantern-{number:02d}",
            name_en=f"Lantern {number:02d}",
            name_ar=f"فانوس {number:02d}",
            variants=[
                {"price": "50.00", "stock": 3, "options": {"colour": "black"}},
                {"price": "60.00", "stock": number % 2, "options": {"colour": "white"}},
            ],
            age_days=number,
        )
        product_image_add(product=product, upload=photo(f"{number}.png"))
    return top


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


@pytest.mark.parametrize("limit", [4, 24])
def test_category_page_queries_do_not_grow_with_the_page(
    client, shelf, limit, django_assert_max_num_queries
):
    with django_assert_max_num_queries(BUDGETS["category"]):
        document = page(client, f"/en/c/top/?limit={limit}&sort=price&opt_colour=black")

    assert len(product_names(document)) == limit


@pytest.mark.parametrize("limit", [4, 24])
def test_search_page_queries_do_not_grow_with_the_page(
    client, shelf, limit, django_assert_max_num_queries
):
    with django_assert_max_num_queries(BUDGETS["search"]):
        document = page(client, f"/ar/search/?q=lantern&limit={limit}")

    assert len(product_names(document)) == limit


@pytest.mark.parametrize("variants", [1, 12])
def test_product_page_queries_do_not_grow_with_variants_photos_or_related(
    client, shelf, variants, django_assert_max_num_queries
):
    product = make_product(
        category=shelf,
        slug="big-lantern",
        variants=[
            {"price": "70.00", "stock": 5, "options": {"size": str(n)}} for n in range(variants)
        ],
    )
    for number in range(variants):
        product_image_add(product=product, upload=photo(f"big-{number}.png"))

    with django_assert_max_num_queries(BUDGETS["product"]):
        page(client, "/en/p/big-lantern/")


def test_a_second_view_reads_the_cached_page(client, shelf):
    urls = ["/en/c/top/", "/en/search/?q=lantern", "/en/p/lantern-03/", "/en/"]
    first = [queries(client, url) for url in urls]
    second = [queries(client, url) for url in urls]

    # Left: the catalogue version, which keys the whole page kept for visitors without a session.
    assert second == [1, 1, 1, 1]
    assert all(a > b for a, b in zip(first, second, strict=True))


def test_a_visitor_with_a_session_reads_the_cached_fragments(client, shelf, settings):
    client.cookies[settings.SESSION_COOKIE_NAME] = "no-such-session"
    urls = ["/en/c/top/", "/en/search/?q=lantern", "/en/p/lantern-03/", "/en/"]
    first = [queries(client, url) for url in urls]
    second = [queries(client, url) for url in urls]

    # Left: the session, the catalogue version and, for a category, the category itself.
    assert all(a > b for a, b in zip(first, second, strict=True))
    assert max(second) <= 3


def test_a_change_made_by_staff_shows_on_the_next_view(
    client, shelf, django_capture_on_commit_callbacks
):
    urls = ["/en/c/top/", "/en/search/?q=lantern", "/en/p/lantern-03/", "/en/c/top/?sort=price"]
    for url in urls:
        assert "Lantern 03" in client.get(url).content.decode()

    # A write that skips the services is not seen: the pages really come from the cache.
    Product.objects.filter(slug="lantern-03").update(name_en="Skipped the services")
    assert all("Lantern 03" in client.get(url).content.decode() for url in urls)

    product = Product.objects.get(slug="lantern-03")
    product.name_en = "Lantern of the old souq"
    with django_capture_on_commit_callbacks(execute=True):  # the version moves on commit
        product_save(product=product)
    for url in urls[:3]:
        body = client.get(url).content.decode()
        assert "Lantern of the old souq" in body and "Lantern 03" not in body, url


def test_renaming_a_category_updates_the_menu_and_its_pages(
    client, shelf, django_capture_on_commit_callbacks
):
    assert "Top" in client.get("/en/").content.decode()

    shelf.name_en = "Lanterns and lamps"
    with django_capture_on_commit_callbacks(execute=True):  # the version moves on commit
        category_save(category=shelf)

    home = page(client, "/en/")
    menu = [n for n in home.find_all("nav") if "category-menu" in n.attrs.get("class", "")]
    assert [a.text for a in menu[0].find_all("a")] == ["Lanterns and lamps"]
    assert "Lanterns and lamps" in client.get("/en/c/middle/").content.decode()


def test_fragments_are_kept_apart_by_language_and_parameters(client, shelf):
    english = product_names(page(client, "/en/c/top/?sort=price&limit=4"))
    arabic = product_names(page(client, "/ar/c/top/?sort=price&limit=4"))
    cheapest_last = product_names(page(client, "/en/c/top/?sort=-price&limit=4"))

    assert english[0].startswith("Lantern") and arabic[0].startswith("فانوس")
    assert english != cheapest_last


def test_the_add_to_cart_form_gets_a_fresh_csrf_token_from_a_cached_page(shelf):
    from django.test import Client

    first, second = Client(), Client()
    token_of = []
    for browser in (first, second):
        document = page(browser, "/en/p/lantern-03/")
        form = [f for f in document.find_all("form") if "product__buy" in f.attrs.get("class", "")]
        token_of.append(
            next(
                i.attrs["value"]
                for i in form[0].find_all("input")
                if i.attrs["name"] == "csrfmiddlewaretoken"
            )
        )
    assert token_of[0] != token_of[1]
