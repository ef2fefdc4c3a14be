"""The shop's look and feel in the markup: the compact header, the one-button language switch,
"from" prices, swatches, refusals beside the button that caused them, and the cart drawer's
JSON answer (the page posts the ordinary way without script)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from lumeire.cart.models import Cart
from lumeire.catalog.tests.factories import make_product
from lumeire.core.tests.markup import Element, parse
from lumeire.storefront.tests.shop import page, text_of, with_class

pytestmark = pytest.mark.django_db

JSON = {"accept": "application/json"}


@pytest.fixture
def shirt(shop):
    """Two options; white in L is sold out, black in L is not sold at all."""
    return make_product(
        category=shop.evening,
        slug="linen-shirt",
        name_en="Linen shirt",
        name_ar="قميص كتان",
        variants=[
            {
                "sku": "SHIRT-M-W",
                "price": "100.00",
                "stock": 3,
                "options": {"size": "M", "colour": "white"},
            },
            {
                "sku": "SHIRT-L-W",
                "price": "110.00",
                "stock": 0,
                "options": {"size": "L", "colour": "white"},
            },
            {
                "sku": "SHIRT-M-B",
                "price": "100.00",
                "stock": 8,
                "options": {"size": "M", "colour": "black"},
            },
        ],
    )


def _by_id(document: Element, tag: str, element_id: str) -> Element:
    return next(e for e in document.find_all(tag) if e.attrs.get("id") == element_id)


# --- Header ---------------------------------------------------------------------------------------
def test_the_header_stays_compact_with_the_cart_count_and_a_phone_menu(client, shop):
    document = page(client, "/en/c/women/")

    header = document.find_all("header")[0]
    assert "site-header" in header.attrs["class"]
    counts = [s for s in header.find_all("span") if "data-cart-count" in s.attrs]
    assert [c.text for c in counts] == ["0"]
    drawer = with_class(header, "details", "menu-drawer")[0]
    assert drawer.find_all("summary")[0].text.strip() == "Menu"
    links = [a.attrs["href"] for a in drawer.find_all("a")]
    assert links[:2] == ["/en/c/women/", "/en/c/home/"]
    assert "/en/privacy/" in links and "/en/account/sign-in/" in links


def test_the_language_switch_is_one_button_named_in_the_other_language(client, shop):
    for url, code, name in (("/en/c/women/", "ar", "العربية"), ("/ar/c/women/", "en", "English")):
        form = with_class(page(client, url), "form", "language-switch")[0]

        assert form.find_all("select") == []
        buttons = form.find_all("button")
        assert [(b.text, b.attrs["lang"]) for b in buttons] == [(name, code)]
        fields = {i.attrs["name"]: i.attrs.get("value") for i in form.find_all("input")}
        assert fields["language"] == code
        assert fields["next"] == url.replace(url[:4], f"/{code}/")


# --- Cards ----------------------------------------------------------------------------------------
def test_cards_say_from_when_the_variants_differ_in_price(client, shop):
    prices = dict(
        zip(
            text_of(page(client, "/en/"), "span", "product-card__name"),
            text_of(page(client, "/en/"), "p", "product-card__price"),
            strict=True,
        )
    )

    assert prices == {"Silk evening dress": "From 437.00 SAR", "Brass table lamp": "92.00 SAR"}
    arabic = text_of(page(client, "/ar/"), "p", "product-card__price")
    assert "ابتداءً من 437.00 ر.س" in arabic


def test_cards_and_the_gallery_draw_no_letter_in_place_of_a_photo(client, shop):
    body = client.get("/en/c/home/").content.decode()
    placeholders = with_class(parse(body), "span", "product-card__placeholder")

    assert placeholders and all(p.text.strip() == "" for p in placeholders)
    gallery = with_class(page(client, "/en/p/brass-table-lamp/"), "p", "gallery__placeholder")
    assert gallery[0].text.strip() == "No photo yet"


# --- Swatches -------------------------------------------------------------------------------------
def test_swatches_group_options_and_carry_each_variants_price_and_stock(client, shirt):
    document = page(client, "/en/p/linen-shirt/")

    groups = with_class(document, "fieldset", "swatches")
    assert [g.attrs["data-swatch-group"] for g in groups] == ["size", "colour"]
    assert "swatches--colour" in groups[1].attrs["class"]
    values = {
        g.attrs["data-swatch-group"]: [
            (i.attrs["value"], "checked" in i.attrs, "disabled" in i.attrs)
            for i in g.find_all("input")
        ]
        for g in groups
    }
    # L is sold out in every colour it comes in: it cannot be ticked. White is sold in M.
    assert values == {
        "size": [("M", True, False), ("L", False, True)],
        "colour": [("white", True, False), ("black", False, False)],
    }
    dots = [s.attrs["class"] for s in with_class(document, "span", "swatch__dot")]
    assert dots == ["swatch__dot swatch__dot--white", "swatch__dot swatch__dot--black"]
    data = json.loads(with_class(document, "div", "buy")[0].attrs["data-variants"])
    assert [(v["sku"], v["options"], v["price"], v["stockText"]) for v in data] == [
        ("SHIRT-M-W", {"size": "M", "colour": "white"}, "115.00\xa0SAR", "Only 3 left"),
        ("SHIRT-L-W", {"size": "L", "colour": "white"}, "126.50\xa0SAR", "Out of stock"),
        ("SHIRT-M-B", {"size": "M", "colour": "black"}, "115.00\xa0SAR", "In stock"),
    ]


def test_the_swatches_ticked_choose_the_variant_added_without_script(client, shirt):
    response = client.post(
        "/en/p/linen-shirt/", {"opt_size": "M", "opt_colour": "black", "quantity": "2"}
    )

    assert (response.status_code, response["Location"]) == (302, "/en/cart/")
    lines = Cart.objects.get().lines.values_list("variant__sku", "quantity")
    assert list(lines) == [("SHIRT-M-B", 2)]


def test_a_combination_not_sold_is_refused_beside_the_button(client, shirt):
    response = client.post(
        "/en/p/linen-shirt/", {"opt_size": "L", "opt_colour": "black", "quantity": "1"}
    )

    assert response.status_code == 400
    alert = _by_id(parse(response.content.decode()), "p", "buy-refusal")
    assert alert.text == "This product is not available."
    assert Cart.objects.count() == 0


# --- Refusals beside the button, with the focus ---------------------------------------------------
def test_an_over_stock_quantity_is_refused_beside_the_button_and_takes_the_focus(client, shop):
    response = client.post("/en/p/silk-evening-dress/", {"sku": "SILK-M", "quantity": "5"})

    assert response.status_code == 400
    document = parse(response.content.decode())
    buy = with_class(document, "form", "product__buy")[0]
    children = [c for c in with_class(buy, "div", "buy")[0].children]
    alert = _by_id(document, "p", "buy-refusal")
    # The alert comes right before the quantity and the button, and takes the focus.
    position = children.index(alert)
    assert "buy__actions" in children[position + 1].attrs["class"]
    assert alert.text == "Only 2 left."
    assert (alert.attrs["role"], alert.attrs["tabindex"]) == ("alert", "-1")
    assert "autofocus" in alert.attrs and "hidden" not in alert.attrs
    quantity = _by_id(document, "input", "buy-quantity")
    assert quantity.attrs["aria-describedby"] == "buy-refusal"
    assert quantity.attrs["aria-invalid"] == "true"
    # The refusal is no other shopper's page: the fragment kept for the page is not it.
    again = page(client, "/en/p/silk-evening-dress/")
    assert "hidden" in _by_id(again, "p", "buy-refusal").attrs


def test_a_cart_quantity_refusal_is_shown_by_that_lines_quantity_with_the_focus(client, shop):
    client.post("/en/p/silk-evening-dress/", {"sku": "SILK-L", "quantity": "1"})
    client.post("/en/p/brass-table-lamp/", {"sku": "LAMP", "quantity": "1"})
    silk = Cart.objects.get().lines.get(variant__sku="SILK-L")

    response = client.post(f"/en/cart/lines/{silk.pk}/", {"quantity": "10"})

    assert response.status_code == 400
    document = parse(response.content.decode())
    line = _by_id(document, "li", f"line-{silk.pk}")
    alerts = with_class(line, "div", "form-alert")
    assert [[p.text for p in a.find_all("p")] for a in alerts] == [
        ["Only 9 left.", "Your cart has not changed."]
    ]
    assert alerts[0].attrs["id"] == f"line-{silk.pk}-refusal"
    assert "autofocus" in alerts[0].attrs and alerts[0].attrs["role"] == "alert"
    field = _by_id(line, "input", f"quantity-{silk.pk}")
    assert field.attrs["aria-describedby"] == f"line-{silk.pk}-refusal"
    # Only that line carries it; nothing is repeated at the top.
    assert len(with_class(document, "div", "form-alert")) == 1


# --- The cart drawer's answer ---------------------------------------------------------------------
def test_added_with_script_the_answer_is_the_count_and_the_drawer(shop):
    client = Client(enforce_csrf_checks=True)
    document = page(client, "/en/p/silk-evening-dress/")
    token = next(
        i.attrs["value"]
        for i in with_class(document, "form", "product__buy")[0].find_all("input")
        if i.attrs.get("name") == "csrfmiddlewaretoken"
    )

    response = client.post(
        "/en/p/silk-evening-dress/",
        {"opt_size": "L", "quantity": "2"},
        headers={**JSON, "x-csrftoken": token},
    )

    assert response.status_code == 200
    answer = response.json()
    assert (answer["count"], answer["countLabel"]) == (2, "Cart, 2 items")
    drawer = parse(answer["drawer"])
    assert [h.text for h in drawer.find_all("h2")] == ["Added to your cart"]
    assert text_of(drawer, "a", "cart-drawer__name") == ["Silk evening dress"]
    assert "966.00\xa0SAR" in answer["drawer"]
    assert [
        a.attrs["href"] for a in drawer.find_all("a") if "button" in a.attrs.get("class", "")
    ] == [
        "/en/checkout/",
        "/en/cart/",
    ]
    # No "is in your cart" notice waits for the next page: the drawer said it.
    assert text_of(page(client, "/en/cart/"), "p", "notice") == []


def test_added_with_script_a_refusal_is_answered_as_json(client, shop):
    response = client.post(
        "/en/p/silk-evening-dress/", {"sku": "SILK-M", "quantity": "3"}, headers=JSON
    )

    assert (response.status_code, response.json()) == (400, {"error": "Only 2 left."})
    assert Cart.objects.count() == 0


def test_added_with_script_in_arabic_the_drawer_speaks_arabic(client, shop):
    response = client.post(
        "/ar/p/brass-table-lamp/", {"sku": "LAMP", "quantity": "1"}, headers=JSON
    )

    answer = response.json()
    assert "أُضيف إلى سلتك" in answer["drawer"]
    assert "Added to your cart" not in answer["drawer"]
