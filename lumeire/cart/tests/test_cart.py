"""The cart: stock limits, prices from the catalogue, VAT per line, merging at sign-in."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lumeire.accounts.tests.factories import make_customer
from lumeire.cart.errors import CartError, CartErrorCode
from lumeire.cart.models import Cart
from lumeire.cart.selectors import cart_by_token, cart_summary
from lumeire.cart.services import (
    cart_add,
    cart_merge,
    cart_remove,
    cart_set_quantity,
    customer_cart,
    guest_cart_create,
)
from lumeire.catalog.models import Variant
from lumeire.catalog.services import product_save
from lumeire.catalog.tests.factories import make_category, make_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def variant() -> Variant:
    product = make_product(category=make_category(), price="10.00", stock=3)
    return product.variants.get()


def quantities(cart: Cart) -> dict[str, int]:
    return {line.variant.sku: line.quantity for line in cart.lines.select_related("variant")}


def test_adding_beyond_stock_says_how_many_are_left_and_changes_nothing(variant):
    cart, _token = guest_cart_create()
    cart_add(cart=cart, sku=variant.sku, quantity=2)
    with pytest.raises(CartError) as refused:
        cart_add(cart=cart, sku=variant.sku, quantity=2)
    assert refused.value.code == CartErrorCode.NOT_ENOUGH_STOCK
    assert refused.value.message == "Only 3 left."
    assert quantities(cart) == {variant.sku: 2}


@pytest.mark.parametrize("bad", [0, -1, "two", "", None, 1.5, "1e3", True, 1000])
def test_bad_quantities_are_refused_and_the_cart_is_unchanged(variant, bad):
    cart, _token = guest_cart_create()
    cart_add(cart=cart, sku=variant.sku, quantity=1)
    with pytest.raises(CartError) as refused:
        cart_add(cart=cart, sku=variant.sku, quantity=bad)
    assert refused.value.code == CartErrorCode.INVALID_QUANTITY
    assert quantities(cart) == {variant.sku: 1}


def test_unknown_or_hidden_skus_are_refused(variant):
    cart, _token = guest_cart_create()
    with pytest.raises(CartError) as unknown:
        cart_add(cart=cart, sku="NO-SUCH-SKU", quantity=1)
    assert unknown.value.code == CartErrorCode.UNKNOWN_SKU
    variant.product.is_active = False
    product_save(product=variant.product)
    with pytest.raises(CartError):
        cart_add(cart=cart, sku=variant.sku, quantity=1)
    assert quantities(cart) == {}


def test_change_and_remove_lines_only_in_ones_own_cart(variant):
    mine, _ = guest_cart_create()
    theirs, _ = guest_cart_create()
    line = cart_add(cart=mine, sku=variant.sku, quantity=1)
    cart_set_quantity(cart=mine, line_id=line.pk, quantity=3)
    assert quantities(mine) == {variant.sku: 3}
    with pytest.raises(CartError) as refused:
        cart_set_quantity(cart=mine, line_id=line.pk, quantity=4)
    assert refused.value.code == CartErrorCode.NOT_ENOUGH_STOCK
    with pytest.raises(CartError) as foreign:
        cart_remove(cart=theirs, line_id=line.pk)
    assert foreign.value.status_code == 404
    cart_remove(cart=mine, line_id=line.pk)
    assert quantities(mine) == {}


def test_prices_come_from_the_catalogue_at_read_time(variant):
    cart, _ = guest_cart_create()
    cart_add(cart=cart, sku=variant.sku, quantity=2)
    variant.price = Decimal("12.50")
    variant.save()
    summary = cart_summary(cart)
    # 12.50 + 1.88 VAT = 14.38 on the shelf; the VAT in 28.76 is 3.75.
    assert summary.lines[0].unit_price == Decimal("14.38")
    assert (summary.subtotal, summary.vat, summary.total) == (
        Decimal("28.76"),
        Decimal("3.75"),
        Decimal("28.76"),
    )


@given(
    lines=st.lists(
        st.tuples(
            st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999.99"), places=2),
            st.integers(min_value=1, max_value=7),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_lines_are_shelf_price_times_quantity_and_vat_is_in_the_total(lines):
    category = make_category()
    cart, _ = guest_cart_create()
    for price, quantity in lines:
        product = make_product(category=category, price=str(price), stock=10)
        cart_add(cart=cart, sku=product.variants.get().sku, quantity=quantity)
    summary = cart_summary(cart)
    assert summary.total == summary.subtotal == sum(p.line_total for p in summary.lines)
    for priced in summary.lines:
        assert priced.line_total == priced.unit_price * priced.line.quantity
        assert priced.unit_price == priced.unit_price.quantize(Decimal("0.01"))
    exact = summary.total * Decimal("0.15") / Decimal("1.15")
    assert abs(summary.vat - exact) <= Decimal("0.005")
    assert summary.vat == summary.vat.quantize(Decimal("0.01"))


def test_merge_at_sign_in_adds_quantities_capped_by_stock(variant):
    other = make_product(category=variant.product.category, price="5.00", stock=10)
    other_variant = other.variants.get()
    user = make_customer()
    cart_add(cart=customer_cart(user), sku=variant.sku, quantity=2)
    guest, token = guest_cart_create()
    cart_add(cart=guest, sku=variant.sku, quantity=2)
    cart_add(cart=guest, sku=other_variant.sku, quantity=4)
    merged = cart_merge(guest=guest, user=user)
    assert quantities(merged) == {variant.sku: 3, other_variant.sku: 4}
    assert cart_by_token(token) is None
    assert Cart.objects.filter(pk=guest.pk).exists() is False
