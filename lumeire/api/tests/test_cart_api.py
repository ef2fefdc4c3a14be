"""/api/v1/cart through the full middleware stack: guests by X-Cart-Token, customers by bearer
token, merging at sign-in, stock limits, rounding and refusals that change nothing."""

from __future__ import annotations

import itertools
import json
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.test import Client
from freezegun import freeze_time
from hypothesis import given
from hypothesis import strategies as st

from lumeire.accounts.tests.factories import PASSWORD, make_customer
from lumeire.api.tests.helpers import API, sign_in
from lumeire.api.v1.cart import ADDS_PER_MINUTE
from lumeire.cart.models import Cart, CartLine
from lumeire.cart.services import cart_add, guest_cart_create
from lumeire.catalog.services import product_save
from lumeire.catalog.tests.factories import make_category, make_product

pytestmark = pytest.mark.django_db

# Each test (and each hypothesis example) adds from its own address, below the add limit.
_addresses = (f"198.51.100.{n % 250 + 1}" for n in itertools.count())


def call(method, path, body=None, *, cart=None, token=None, address=None, language=None):
    headers = {}
    if cart is not None:
        headers["X-Cart-Token"] = cart
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    if language is not None:
        headers["Accept-Language"] = language
    kwargs = {"headers": headers, "REMOTE_ADDR": address or next(_addresses)}
    if body is not None:
        kwargs.update(data=json.dumps(body), content_type="application/json")
    return getattr(Client(), method.lower())(f"{API}{path}", **kwargs)


def money(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "SAR"}


def snapshot() -> list[tuple]:
    """Every cart and line in the database, to show a refusal changed nothing."""
    carts = sorted((str(c.pk), c.user_id, c.token_hash) for c in Cart.objects.all())
    lines = sorted(CartLine.objects.values_list("cart_id", "variant_id", "quantity"))
    return [carts, [(str(c), v, q) for c, v, q in lines]]


@pytest.fixture
def shelf():
    category = make_category()
    return {
        "scarf": make_product(
            category=category,
            name_en="Silk scarf",
            name_ar="وشاح حرير",
            variants=[{"sku": "SCARF", "price": "10.00", "stock": 3}],
        ),
        "mug": make_product(
            category=category,
            name_en="Clay mug",
            variants=[{"sku": "MUG", "price": "5.00", "stock": 10}],
        ),
    }


# --- Guests -------------------------------------------------------------------------------------


def test_a_guest_without_a_token_sees_an_empty_cart_and_none_is_made():
    response = call("GET", "/cart")

    assert response.status_code == 200
    assert response.json() == {
        "lines": [],
        "subtotal": money("0.00"),
        "vat": money("0.00"),
        "total": money("0.00"),
    }
    assert "X-Cart-Token" not in response
    assert "no-store" in response["Cache-Control"]
    assert Cart.objects.count() == 0


def test_the_first_add_makes_a_cart_and_returns_its_token(shelf):
    added = call("POST", "/cart/lines", {"sku": "SCARF", "quantity": 2})

    assert added.status_code == 201
    token = added["X-Cart-Token"]
    assert token
    line = added.json()["lines"][0]
    assert line == {
        "id": line["id"],
        "sku": "SCARF",
        "name": "Silk scarf",
        "quantity": 2,
        "unit_price": money("11.50"),
        "line_total": money("23.00"),
    }
    assert added.json()["subtotal"] == money("23.00")
    assert added.json()["vat"] == money("3.00")
    assert added.json()["total"] == money("23.00")
    assert Cart.objects.get().token_hash != token  # only its hash is kept

    again = call("POST", "/cart/lines", {"sku": "MUG", "quantity": 1}, cart=token)
    shown = call("GET", "/cart", cart=token, language="ar")

    assert again["X-Cart-Token"] == shown["X-Cart-Token"] == token
    assert Cart.objects.count() == 1
    assert [(li["sku"], li["quantity"]) for li in shown.json()["lines"]] == [
        ("SCARF", 2),
        ("MUG", 1),
    ]
    assert shown.json()["lines"][0]["name"] == "وشاح حرير"


def test_change_and_remove_a_line(shelf):
    added = call("POST", "/cart/lines", {"sku": "SCARF", "quantity": 1})
    token, line_id = added["X-Cart-Token"], added.json()["lines"][0]["id"]

    changed = call("PATCH", f"/cart/lines/{line_id}", {"quantity": 3}, cart=token)
    assert changed.status_code == 200
    assert changed.json()["lines"][0]["quantity"] == 3
    assert changed["X-Cart-Token"] == token

    removed = call("DELETE", f"/cart/lines/{line_id}", cart=token)
    assert removed.status_code == 200
    assert removed.json()["lines"] == []
    assert removed.json()["total"] == money("0.00")


@pytest.mark.parametrize("token", ["bogus", "cart_" + "x" * 43, "x" * 5000, " "])
def test_a_token_that_opens_no_cart_counts_as_none(shelf, token):
    shown = call("GET", "/cart", cart=token)
    added = call("POST", "/cart/lines", {"sku": "MUG", "quantity": 1}, cart=token)

    assert shown.status_code == 200
    assert shown.json()["lines"] == []
    assert added.status_code == 201
    assert added["X-Cart-Token"] != token
    assert Cart.objects.count() == 1


# --- Another cart's lines -----------------------------------------------------------------------


def test_another_carts_line_is_a_404_and_stays_as_it_was(shelf):
    mine = call("POST", "/cart/lines", {"sku": "SCARF", "quantity": 1})
    theirs = call("POST", "/cart/lines", {"sku": "MUG", "quantity": 2})
    their_line = theirs.json()["lines"][0]["id"]
    before = snapshot()

    for method, body in (("PATCH", {"quantity": 1}), ("DELETE", None)):
        for cart in (mine["X-Cart-Token"], None):
            response = call(method, f"/cart/lines/{their_line}", body, cart=cart)
            assert response.status_code == 404, (method, cart)
            assert response.json()["detail"] == "This line is not in your cart."
    assert snapshot() == before


@pytest.mark.parametrize("line_id", ["abc", "0", "-1", "99999999999999999999999", "1.5"])
def test_a_line_id_that_is_no_line_is_a_404(shelf, line_id):
    token = call("POST", "/cart/lines", {"sku": "MUG", "quantity": 1})["X-Cart-Token"]

    response = call("DELETE", f"/cart/lines/{line_id}", cart=token)

    assert response.status_code == 404


# --- Refusals change nothing --------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        {"sku": "MUG", "quantity": 0},
        {"sku": "MUG", "quantity": -1},
        {"sku": "MUG", "quantity": "two"},
        {"sku": "MUG", "quantity": 1.5},
        {"sku": "MUG", "quantity": True},
        {"sku": "MUG", "quantity": None},
        {"sku": "MUG", "quantity": 1000},
        {"sku": "MUG"},
    ],
)
def test_bad_quantities_are_a_400_and_the_cart_is_unchanged(shelf, body):
    token = call("POST", "/cart/lines", {"sku": "MUG", "quantity": 1})["X-Cart-Token"]
    line_id = call("GET", "/cart", cart=token).json()["lines"][0]["id"]
    before = snapshot()

    added = call("POST", "/cart/lines", body, cart=token)
    patch_body = {key: value for key, value in body.items() if key == "quantity"}
    changed = call("PATCH", f"/cart/lines/{line_id}", patch_body, cart=token)
    new_guest = call("POST", "/cart/lines", body)

    for response in (added, changed, new_guest):
        assert response.status_code == 400
        assert list(response.json()["errors"]) == ["quantity"]
    assert "X-Cart-Token" not in new_guest
    assert snapshot() == before


@pytest.mark.parametrize("sku", ["NO-SUCH-SKU", "", "HIDDEN"])
def test_unknown_or_hidden_skus_are_a_400_and_no_cart_is_made(shelf, sku):
    hidden = make_product(category=shelf["mug"].category, variants=[{"sku": "HIDDEN"}])
    hidden.is_active = False
    product_save(product=hidden)

    response = call("POST", "/cart/lines", {"sku": sku, "quantity": 1})

    assert response.status_code == 400
    assert response.json()["errors"] == {"sku": ["This product is not available."]}
    assert Cart.objects.count() == 0


@pytest.mark.parametrize(
    "raw",
    ['{"sku": "MUG", "quantity": 1, "price": "0.01"}', "not json", "[]", ""],
)
def test_malformed_bodies_and_client_prices_are_refused(shelf, raw):
    response = Client().post(
        f"{API}/cart/lines", data=raw, content_type="application/json", REMOTE_ADDR="192.0.2.9"
    )

    assert response.status_code == 400
    assert Cart.objects.count() == 0


def test_stock_limits_say_how_many_are_left(shelf):
    token = call("POST", "/cart/lines", {"sku": "SCARF", "quantity": 2})["X-Cart-Token"]
    line_id = call("GET", "/cart", cart=token).json()["lines"][0]["id"]
    before = snapshot()

    too_many = call("POST", "/cart/lines", {"sku": "SCARF", "quantity": 2}, cart=token)
    too_many_change = call("PATCH", f"/cart/lines/{line_id}", {"quantity": 4}, cart=token)

    for response in (too_many, too_many_change):
        assert response.status_code == 400
        assert response.json()["errors"] == {"quantity": ["Only 3 left."]}
        assert response.json()["code"] == "not_enough_stock"
    assert snapshot() == before


def test_an_out_of_stock_sku_says_so(shelf):
    sold_out = make_product(category=shelf["mug"].category, variants=[{"sku": "GONE", "stock": 0}])
    assert sold_out.in_stock is False

    response = call("POST", "/cart/lines", {"sku": "GONE", "quantity": 1})

    assert response.status_code == 400
    assert response.json()["errors"] == {"quantity": ["Sorry, this is out of stock."]}


# --- Customers and merging ----------------------------------------------------------------------


def test_a_customer_uses_their_own_cart_without_a_cart_token(shelf):
    user = make_customer()
    token = sign_in(user.get_username(), PASSWORD)

    added = call("POST", "/cart/lines", {"sku": "MUG", "quantity": 2}, token=token)
    shown = call("GET", "/cart", token=token)

    assert added.status_code == 201
    assert "X-Cart-Token" not in added and "X-Cart-Token" not in shown
    assert Cart.objects.get().user == user
    assert [(li["sku"], li["quantity"]) for li in shown.json()["lines"]] == [("MUG", 2)]


def test_a_bad_bearer_token_is_a_401_not_a_guest(shelf):
    response = call("POST", "/cart/lines", {"sku": "MUG", "quantity": 1}, token="expired-or-forged")

    assert response.status_code == 401
    assert Cart.objects.count() == 0


def test_sign_in_merges_the_guest_cart_quantities_add_capped_by_stock(shelf):
    user = make_customer()
    customer = customer_token_for(user)
    call("POST", "/cart/lines", {"sku": "SCARF", "quantity": 2}, token=customer)
    guest = call("POST", "/cart/lines", {"sku": "SCARF", "quantity": 2})["X-Cart-Token"]
    call("POST", "/cart/lines", {"sku": "MUG", "quantity": 4}, cart=guest)

    signed_in = Client().post(
        f"{API}/accounts/signin",
        data=json.dumps({"login": user.get_username(), "password": PASSWORD}),
        content_type="application/json",
        headers={"X-Cart-Token": guest},
    )

    assert signed_in.status_code == 200
    assert set(signed_in.json()) == {"token", "expires_at"}
    shown = call("GET", "/cart", token=signed_in.json()["token"]).json()
    assert {li["sku"]: li["quantity"] for li in shown["lines"]} == {"SCARF": 3, "MUG": 4}
    assert Cart.objects.count() == 1  # the guest cart is gone
    assert call("GET", "/cart", cart=guest).json()["lines"] == []


def test_a_failed_sign_in_keeps_the_guest_cart(shelf):
    user = make_customer()
    guest = call("POST", "/cart/lines", {"sku": "MUG", "quantity": 1})["X-Cart-Token"]

    refused = Client().post(
        f"{API}/accounts/signin",
        data=json.dumps({"login": user.get_username(), "password": "not the password at all"}),
        content_type="application/json",
        headers={"X-Cart-Token": guest},
    )

    assert refused.status_code == 401
    assert len(call("GET", "/cart", cart=guest).json()["lines"]) == 1
    assert not Cart.objects.filter(user=user).exists()


def test_a_guest_token_sent_with_a_bearer_token_merges_too(shelf):
    user = make_customer()
    customer = customer_token_for(user)
    guest = call("POST", "/cart/lines", {"sku": "MUG", "quantity": 3})["X-Cart-Token"]

    shown = call("GET", "/cart", token=customer, cart=guest)

    assert [(li["sku"], li["quantity"]) for li in shown.json()["lines"]] == [("MUG", 3)]
    assert "X-Cart-Token" not in shown
    assert Cart.objects.get().user == user


def customer_token_for(user) -> str:
    return sign_in(user.get_username(), PASSWORD)


# --- Rounding -----------------------------------------------------------------------------------


@given(
    lines=st.lists(
        st.tuples(
            st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999.99"), places=2),
            st.integers(min_value=1, max_value=9),
        ),
        min_size=1,
        max_size=5,
    )
)
def test_lines_add_up_to_the_total_with_its_vat_included_for_random_carts(lines):
    category = make_category()
    address = next(_addresses)
    token = None
    for price, quantity in lines:
        sku = make_product(category=category, price=str(price), stock=9).variants.get().sku
        response = call(
            "POST", "/cart/lines", {"sku": sku, "quantity": quantity}, cart=token, address=address
        )
        assert response.status_code == 201, response.content
        token = response["X-Cart-Token"]

    body = call("GET", "/cart", cart=token).json()
    amount = {name: Decimal(body[name]["amount"]) for name in ("subtotal", "vat", "total")}
    assert amount["total"] == amount["subtotal"]
    assert amount["subtotal"] == sum(Decimal(li["line_total"]["amount"]) for li in body["lines"])
    for line, (price, quantity) in zip(body["lines"], lines, strict=True):
        shelf = price + (price * Decimal("0.15")).quantize(Decimal("0.01"), ROUND_HALF_UP)
        assert Decimal(line["unit_price"]["amount"]) == shelf
        assert Decimal(line["line_total"]["amount"]) == shelf * quantity
    exact_vat = amount["total"] * 15 / 115
    assert abs(amount["vat"] - exact_vat) <= Decimal("0.005")


def test_prices_are_read_from_the_catalogue_when_the_cart_is_shown(shelf):
    cart, token = guest_cart_create()
    cart_add(cart=cart, sku="MUG", quantity=3)
    variant = shelf["mug"].variants.get()
    variant.price = Decimal("3.33")
    variant.save()

    body = call("GET", "/cart", cart=token).json()

    assert body["lines"][0]["line_total"] == money("11.49")  # 3 × (3.33 + 0.50)
    assert (body["subtotal"], body["vat"], body["total"]) == (
        money("11.49"),
        money("1.50"),
        money("11.49"),
    )


# --- Too many adds ------------------------------------------------------------------------------


def test_adds_are_limited_per_client_address(shelf):
    address = "203.0.113.200"
    with freeze_time("2030-01-01 12:00:10"):
        statuses = {
            call("POST", "/cart/lines", {"sku": "MUG", "quantity": 1}, address=address).status_code
            for _ in range(ADDS_PER_MINUTE)
        }
        refused = call("POST", "/cart/lines", {"sku": "MUG", "quantity": 1}, address=address)
        elsewhere = call("POST", "/cart/lines", {"sku": "MUG", "quantity": 1})

    assert statuses == {201}
    assert refused.status_code == 429
    assert refused["Retry-After"] == "50"
    assert "X-Cart-Token" not in refused
    assert elsewhere.status_code == 201
