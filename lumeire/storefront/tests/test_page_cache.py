"""Whole pages for visitors without a session: served from memory, retired by any catalogue edit,
never shown to a signed-in customer or a guest with a cart, and their forms still work."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from lumeire.catalog.models import Product
from lumeire.catalog.services import product_save
from lumeire.storefront.tests.shop import page, product_names

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _queries(client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content.decode()


@pytest.mark.parametrize("url", ["/en/", "/en/c/home/", "/ar/search/?q=oud", "/en/p/oud-perfume/"])
def test_a_second_visitor_without_session_reads_at_most_the_catalogue_version(shop, url):
    first_count, first = _queries(Client(), url)
    second_count, second = _queries(Client(), url)

    assert first_count > 1
    # Only the catalogue version is read (one row).
    assert second_count <= 1
    assert TOKEN.sub("", first) == TOKEN.sub("", second)


def test_a_catalogue_edit_retires_cached_pages_at_once(
    client, shop, django_capture_on_commit_callbacks
):
    assert "Oud perfume" in product_names(page(client, "/en/c/home/"))

    oud = Product.objects.get(slug="oud-perfume")
    oud.name_en = "Rose oud perfume"
    with django_capture_on_commit_callbacks(execute=True):  # the version moves on commit
        product_save(product=oud)

    assert "Rose oud perfume" in product_names(page(Client(), "/en/c/home/"))


def test_each_visitor_gets_a_token_of_their_own_that_the_cart_form_accepts(shop):
    Client().get("/en/p/oud-perfume/")  # stores the page
    visitor = Client(enforce_csrf_checks=True)
    body = visitor.get("/en/p/oud-perfume/").content.decode()
    tokens = TOKEN.findall(body)
    assert tokens and "\x00" not in body

    sku = Product.objects.get(slug="oud-perfume").variants.first().sku
    response = visitor.post(
        "/en/p/oud-perfume/", {"sku": sku, "quantity": "1", "csrfmiddlewaretoken": tokens[0]}
    )

    assert response.status_code == 302
    assert settings.SESSION_COOKIE_NAME in visitor.cookies


def test_a_guest_with_a_cart_sees_their_own_page_not_the_shared_one(shop):
    Client().get("/en/c/home/")
    guest = Client()
    sku = Product.objects.get(slug="oud-perfume").variants.first().sku
    guest.post("/en/p/oud-perfume/", {"sku": sku, "quantity": "2"})

    count, _body = _queries(guest, "/en/c/home/")

    assert count > 1  # rendered for this guest (cart in the header), not taken from the cache


def test_a_refused_page_is_never_stored(shop):
    assert Client().get("/en/c/home/?min_price=abc").status_code == 400
    count, _body = _queries(Client(), "/en/c/home/")
    assert count > 1
