"""Saved addresses corrected or removed by their customer: checked like checkout, encrypted like
checkout, and never touching an order's own copy."""

from __future__ import annotations

import pytest
from django.db import connection

from lumeire.accounts.tests.factories import make_customer
from lumeire.checkout.address_book import (
    saved_address_remove,
    saved_address_update,
    saved_addresses_of,
)
from lumeire.checkout.errors import CheckoutError, CheckoutErrorCode
from lumeire.checkout.models import Address
from lumeire.vault.keycache import data_key_cache

pytestmark = pytest.mark.django_db

TYPED = {
    "full_name": "Maha Al-Shehri",
    "phone": "0501234567",
    "city": "Jeddah",
    "district": "Al Rawdah",
    "street": "Tahlia Street",
    "building": "4127",
    "postal_code": "12211",
    "country": "SA",
}


def _saved(customer, **changes: str) -> Address:
    return Address.objects.create(customer=customer, **{**TYPED, **changes})


def _fresh(address: Address) -> Address:
    data_key_cache.clear()
    return Address.objects.get(pk=address.pk)


def test_a_corrected_address_is_checked_cleaned_and_stored_encrypted():
    customer = make_customer()
    address = _saved(customer)

    saved_address_update(
        customer=customer,
        address_id=str(address.pk),
        data={**TYPED, "street": "  King  Abdulaziz   Road ", "phone": "+966 50 765 4321"},
    )

    again = _fresh(address)
    assert (str(again.street), str(again.phone)) == ("King Abdulaziz Road", "+966507654321")
    table = connection.ops.quote_name(Address._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT street, phone FROM {table}")  # noqa: S608 - no input in it
        stored = [bytes(value) for row in cursor.fetchall() for value in row]
    assert stored and not any(b"Abdulaziz" in value or b"7654321" in value for value in stored)


def test_a_wrong_part_is_refused_with_its_reason_and_nothing_changes():
    customer = make_customer()
    address = _saved(customer)

    with pytest.raises(CheckoutError) as refused:
        saved_address_update(
            customer=customer,
            address_id=address.pk,
            data={**TYPED, "street": "Olaya Street", "postal_code": "12"},
        )

    assert refused.value.code == CheckoutErrorCode.INVALID_ADDRESS
    assert refused.value.field_errors == {"postal_code": ["Enter the 5-digit postal code."]}
    assert str(_fresh(address).street) == "Tahlia Street"


def test_another_customers_address_is_neither_changed_nor_removed():
    owner, stranger = make_customer(), make_customer()
    address = _saved(owner)

    for attempt in (
        lambda: saved_address_update(customer=stranger, address_id=address.pk, data=TYPED),
        lambda: saved_address_remove(customer=stranger, address_id=address.pk),
        lambda: saved_address_remove(customer=owner, address_id="not-a-uuid"),
    ):
        with pytest.raises(CheckoutError) as refused:
            attempt()
        assert (refused.value.code, refused.value.status_code) == ("address_not_found", 404)

    assert Address.objects.filter(pk=address.pk, customer=owner).exists()


def test_removing_an_address_forgets_only_that_one_and_every_saved_address_is_listed():
    customer = make_customer()
    kept = [_saved(customer, building=str(1000 + n)) for n in range(11)]
    gone = _saved(customer, street="Old Street")

    saved_address_remove(customer=customer, address_id=gone.pk)

    assert not Address.objects.filter(pk=gone.pk).exists()
    assert {a.pk for a in saved_addresses_of(customer)} == {a.pk for a in kept}
