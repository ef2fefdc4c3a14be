"""The cart on the web: add from a product page, change, remove, refusals, sign-in merge."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from lumeire.accounts.tests.factories import make_customer
from lumeire.accounts.tests.web_sign_in import sign_in
from lumeire.cart.models import Cart
from lumeire.cart.selectors import cart_of_user
from lumeire.cart.services import cart_add, customer_cart
from lumeire.core.tests.markup import parse
from lumeire.storefront.cart_access import SESSION_CART_KEY
from lumeire.storefront.tests.shop import page, text_of, with_class

pytestmark = pytest.mark.django_db


def add(client: Client, slug: str, sku: str, quantity: object = 1, language: str = "en"):
    return client.post(f"/{language}/p/{slug}/", {"sku": sku, "quantity": quantity})


def lines_of(client: Client) -> dict[str, int]:
    """What the browser's cart holds, read from the database."""
    if "_auth_user_id" in client.session:
        cart = Cart.objects.filter(user_id=client.session["_auth_user_id"]).first()
    else:
        cart = Cart.objects.filter(pk=client.session.get(SESSION_CART_KEY)).first()
    if cart is None:
        return {}
    return {line.variant.sku: line.quantity for line in cart.lines.select_related("variant")}


def alert_text(response) -> str:
    """The refusal shown: the alert's paragraphs, or the alert itself when it is one."""
    document = parse(response.content.decode())
    alerts = with_class(document, "p", "form-alert") or [
        p for div in with_class(document, "div", "form-alert") for p in div.find_all("p")
    ]
    return " ".join(" ".join(a.text.split()) for a in alerts)


def totals(document) -> list[tuple[str, str]]:
    rows = with_class(document, "dl", "cart-totals")[0].find_all("div")
    return [(row.find_all("dt")[0].text, row.find_all("dd")[0].text) for row in rows]


def test_adding_from_the_product_page_keeps_the_cart_in_the_session(client, shop):
    response = add(client, "silk-evening-dress", "SILK-L", 2)

    assert (response.status_code, response["Location"]) == (302, "/en/cart/")
    assert lines_of(client) == {"SILK-L": 2}
    cart = page(client, "/en/cart/")
    assert text_of(cart, "p", "notice") == ["Silk evening dress is in your cart."]
    assert text_of(cart, "a", "cart-link") == ["Cart 2"]


def test_the_cart_shows_lines_with_vat_and_totals(client, shop):
    add(client, "silk-evening-dress", "SILK-M", 2)
    add(client, "brass-table-lamp", "LAMP", 1)
    document = page(client, "/en/cart/")

    names = [" ".join(h.text.split()) for h in with_class(document, "h2", "cart-line__name")]
    assert names == ["Silk evening dress", "Brass table lamp"]
    assert text_of(document, "p", "cart-line__options") == ["Size: M"]
    assert text_of(document, "p", "cart-line__unit") == [
        "460.00 SAR each, VAT included",
        "92.00 SAR each, VAT included",
    ]
    assert text_of(document, "p", "cart-line__total") == [
        "Line total 920.00 SAR",
        "Line total 92.00 SAR",
    ]
    # Shelf prices include VAT: the lines add up to the total, and 15/115 of it is VAT.
    assert totals(document) == [
        ("Total", "1,012.00\xa0SAR"),
        ("VAT included", "132.00\xa0SAR"),
    ]


def test_adding_more_than_the_stock_says_how_many_are_left_and_changes_nothing(client, shop):
    add(client, "silk-evening-dress", "SILK-M", 1)
    response = add(client, "silk-evening-dress", "SILK-M", 2)

    assert response.status_code == 400
    assert alert_text(response) == "Only 2 left."
    assert lines_of(client) == {"SILK-M": 1}


@pytest.mark.parametrize("quantity", [0, -1, "two", "", "1.5", "99999"])
def test_a_bad_quantity_is_refused_and_changes_nothing(client, shop, quantity):
    add(client, "brass-table-lamp", "LAMP", 1)
    response = add(client, "brass-table-lamp", "LAMP", quantity)

    assert response.status_code == 400
    assert alert_text(response) == "Enter a quantity from 1 to 999."
    assert lines_of(client) == {"LAMP": 1}


@pytest.mark.parametrize("sku", ["NO-SUCH-SKU", "", "x" * 300])
def test_an_unknown_sku_is_refused_and_a_guest_gets_no_cart(client, shop, sku):
    response = add(client, "brass-table-lamp", sku, 1)

    assert response.status_code == 400
    assert alert_text(response) == "This product is not available."
    assert SESSION_CART_KEY not in client.session
    assert Cart.objects.count() == 0


def test_a_hidden_products_sku_is_refused(client, shop):
    from lumeire.catalog.services import product_save

    shop.lamp.is_active = False
    product_save(product=shop.lamp)
    response = add(client, "oud-perfume", "LAMP", 1)

    assert response.status_code == 400
    assert lines_of(client) == {}


def test_quantities_change_within_the_stock(client, shop):
    add(client, "silk-evening-dress", "SILK-L", 1)
    line = Cart.objects.get().lines.get()

    changed = client.post(f"/en/cart/lines/{line.pk}/", {"quantity": "9"})
    too_many = client.post(f"/en/cart/lines/{line.pk}/", {"quantity": "10"})
    nonsense = client.post(f"/en/cart/lines/{line.pk}/", {"quantity": "lots"})

    assert (changed.status_code, changed["Location"]) == (302, "/en/cart/")
    assert (too_many.status_code, alert_text(too_many)) == (
        400,
        "Only 9 left. Your cart has not changed.",
    )
    assert nonsense.status_code == 400
    assert lines_of(client) == {"SILK-L": 9}


def test_removing_a_line_and_refusing_lines_of_other_carts(client, shop):
    stranger = Client()
    add(stranger, "brass-table-lamp", "LAMP", 1)
    theirs = Cart.objects.get().lines.get()
    add(client, "oud-perfume", "OUD", 1)
    mine = Cart.objects.exclude(pk=theirs.cart_id).get().lines.get()

    refused = client.post(f"/en/cart/lines/{theirs.pk}/remove/")
    removed = client.post(f"/en/cart/lines/{mine.pk}/remove/")

    assert refused.status_code == 404
    assert lines_of(stranger) == {"LAMP": 1}
    assert removed.status_code == 302
    assert lines_of(client) == {}
    assert text_of(page(client, "/en/cart/"), "p", "lead") == ["Your cart is empty."]


def test_changing_a_line_without_a_cart_is_404(client, shop):
    assert client.post("/en/cart/lines/1/", {"quantity": "1"}).status_code == 404
    assert client.post("/en/cart/lines/1/remove/").status_code == 404


def test_cart_forms_need_the_csrf_token(shop):
    browser = Client(enforce_csrf_checks=True)

    assert add(browser, "brass-table-lamp", "LAMP", 1).status_code == 403
    assert Cart.objects.count() == 0


def test_a_signed_in_customer_fills_their_account_cart(client, shop):
    customer = make_customer(username="Noura", email="noura@example.com")
    sign_in(client, "noura")
    add(client, "brass-table-lamp", "LAMP", 3)

    assert {line.variant.sku: line.quantity for line in cart_of_user(customer).lines.all()} == {
        "LAMP": 3
    }
    assert SESSION_CART_KEY not in client.session


def test_the_guest_cart_joins_the_customers_at_sign_in_capped_by_stock(client, shop):
    customer = make_customer(username="Noura", email="noura@example.com")
    cart_add(cart=customer_cart(customer), sku="SILK-M", quantity=1)
    add(client, "silk-evening-dress", "SILK-M", 2)
    add(client, "brass-table-lamp", "LAMP", 1)
    guest_id = client.session[SESSION_CART_KEY]

    response = sign_in(client, "noura")

    assert response.status_code == 302
    assert lines_of(client) == {"SILK-M": 2, "LAMP": 1}  # 1 + 2 capped at the stock of 2
    assert SESSION_CART_KEY not in client.session
    assert not Cart.objects.filter(pk=guest_id).exists()
    assert text_of(page(client, "/en/cart/"), "a", "cart-link") == ["Cart 3"]


def test_signing_in_without_a_guest_cart_leaves_the_customers_cart_alone(client, shop):
    customer = make_customer(username="Noura", email="noura@example.com")
    cart_add(cart=customer_cart(customer), sku="OUD", quantity=2)

    sign_in(client, "noura")

    assert lines_of(client) == {"OUD": 2}


def test_prices_in_the_cart_follow_the_catalogue(client, shop):
    from lumeire.catalog.services import variant_save

    add(client, "brass-table-lamp", "LAMP", 2)
    variant = shop.lamp.variants.get()
    variant.price = Decimal("100.00")
    variant_save(variant=variant)

    assert dict(totals(page(client, "/en/cart/")))["Total"] == "230.00\xa0SAR"
