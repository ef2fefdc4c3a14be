"""The owner manages delivery options; a refused value is shown on its field and saves nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from lumeire.backoffice.tests.factories import signed_in
from lumeire.checkout.models import ShippingMethod
from lumeire.checkout.selectors import shipping_methods

pytestmark = pytest.mark.django_db

METHODS = "/backoffice/checkout/shippingmethod/"


def _form(**values: str) -> dict[str, str]:
    data = {
        "code": "same-day",
        "name_en": "Same-day delivery (Riyadh)",
        "name_ar": "توصيل في اليوم نفسه (الرياض)",
        "price": "60.87",
        "free_above": "",
        "is_active": "on",
        "position": "2",
    }
    data.update(values)
    return {name: value for name, value in data.items() if value is not None}


def _change(method: ShippingMethod) -> str:
    return f"{METHODS}{method.pk}/change/"


def test_owner_sees_the_delivery_options_with_their_prices(owner):
    response = signed_in(owner).get(METHODS)
    assert response.status_code == 200
    content = response.content.decode()
    for expected in ("standard", "express", "21.74", "25.00", "43.48", "50.00", "300.00"):
        assert expected in content


def test_owner_adds_a_delivery_option_that_checkout_then_offers(owner):
    response = signed_in(owner).post(f"{METHODS}add/", _form())
    assert response.status_code == 302
    method = ShippingMethod.objects.get(code="same-day")
    assert (method.price, method.free_above, method.is_active, method.position) == (
        Decimal("60.87"),
        None,
        True,
        2,
    )
    assert method.name_ar == "توصيل في اليوم نفسه (الرياض)"
    assert [offered.code for offered in shipping_methods()] == ["standard", "express", "same-day"]


def test_a_negative_price_is_refused_on_its_field_and_nothing_is_added(owner):
    response = signed_in(owner).post(f"{METHODS}add/", _form(price="-1.00", free_above="-5"))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["price"] == ["A price cannot be below zero."]
    assert errors["free_above"] == ["The amount for free delivery cannot be below zero."]
    assert not ShippingMethod.objects.filter(code="same-day").exists()


def test_a_negative_price_on_an_existing_option_leaves_it_as_it_was(owner):
    standard = ShippingMethod.objects.get(code="standard")
    response = signed_in(owner).post(
        _change(standard),
        _form(code="standard", name_en="Cheap", price="-21.74", free_above="300.00"),
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["price"] == ["A price cannot be below zero."]
    standard.refresh_from_db()
    assert (standard.name_en, standard.price) == ("Standard delivery (3–5 days)", Decimal("21.74"))


def test_owner_changes_a_price_and_the_threshold_but_never_the_code(owner):
    express = ShippingMethod.objects.get(code="express")
    response = signed_in(owner).post(
        _change(express),
        _form(code="renamed", name_en="Express", price="47.83", free_above="500.00", position="1"),
    )
    assert response.status_code == 302
    express.refresh_from_db()
    assert (express.code, express.price, express.free_above) == (
        "express",
        Decimal("47.83"),
        Decimal("500.00"),
    )


def test_owner_stops_offering_an_option_instead_of_deleting_it(owner):
    express = ShippingMethod.objects.get(code="express")
    client = signed_in(owner)
    assert client.post(f"{METHODS}{express.pk}/delete/", {"post": "yes"}).status_code == 403
    data = _form(code="express", name_en=express.name_en, name_ar=express.name_ar)
    data.pop("is_active")
    response = client.post(_change(express), {**data, "price": "43.48", "position": "1"})
    assert response.status_code == 302
    assert [offered.code for offered in shipping_methods()] == ["standard"]
    assert ShippingMethod.objects.filter(code="express", is_active=False).exists()


def test_a_code_already_used_is_refused(owner):
    response = signed_in(owner).post(f"{METHODS}add/", _form(code="express"))
    assert response.status_code == 200
    assert "code" in response.context["adminform"].form.errors
    assert ShippingMethod.objects.filter(code="express").count() == 1


def test_only_the_owner_manages_delivery_options(
    fulfilment, customer_service, catalogue_manager, staff_without_groups
):
    standard = ShippingMethod.objects.get(code="standard")
    for staff in (fulfilment, customer_service, catalogue_manager, staff_without_groups):
        client = signed_in(staff)
        assert client.get(METHODS).status_code == 403
        assert client.get(_change(standard)).status_code == 403
        assert client.post(f"{METHODS}add/", _form()).status_code == 403
    assert not ShippingMethod.objects.filter(code="same-day").exists()
