"""The customer's saved addresses, corrected or removed from My account.

A saved address is only offered again at checkout: changing or removing it never touches an
order, whose delivery address is a copy taken when it was placed. A corrected address is checked
by ``parse_address`` (the rules checkout applies) and stored as checkout stores it, every part
encrypted with the customer's data key.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from lumeire.checkout.addresses import parse_address
from lumeire.checkout.errors import CheckoutError, CheckoutErrorCode
from lumeire.checkout.models import Address
from lumeire.checkout.selectors import saved_address_get, saved_addresses
from lumeire.orders.models import ADDRESS_FIELDS


def _not_found() -> CheckoutError:
    # Another customer's address and one that does not exist get the same answer.
    return CheckoutError(
        CheckoutErrorCode.ADDRESS_NOT_FOUND,
        _("There is no such saved address."),
        status_code=404,
    )


def saved_addresses_of(customer) -> list[Address]:
    """Every saved address of the customer, most recently used first (checkout offers ten)."""
    return saved_addresses(customer, limit=None)


def saved_address_update(*, customer, address_id: object, data: dict) -> Address:
    """Replace every part of one of the customer's saved addresses, or refuse and keep it."""
    found = saved_address_get(customer=customer, address_id=address_id)
    if found is None:
        raise _not_found()
    typed = parse_address(data)
    with transaction.atomic():
        address = Address.objects.select_for_update().filter(pk=found.pk, customer=customer).first()
        if address is None:  # removed meanwhile
            raise _not_found()
        for name, value in typed.as_dict().items():
            setattr(address, name, value)
        address.save(update_fields=list(ADDRESS_FIELDS))
    return address


def saved_address_remove(*, customer, address_id: object) -> None:
    """Forget one of the customer's saved addresses; orders keep their own copy."""
    found = saved_address_get(customer=customer, address_id=address_id)
    if found is None:
        raise _not_found()
    Address.objects.filter(pk=found.pk, customer=customer).delete()
