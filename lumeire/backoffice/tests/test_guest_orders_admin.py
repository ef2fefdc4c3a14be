"""A guest's order in the back office: "Guest" as the customer, its details masked, and a look
at them recorded like a look at a customer's, with the order as the subject."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.test import Client

from lumeire.audit.models import AuditAction, AuditEntry
from lumeire.backoffice.tests.factories import make_staff, signed_in
from lumeire.checkout.tests.factories import shelf_variant
from lumeire.checkout.tests.test_guest_checkout import GUEST_EMAIL, guest_cart, place_as_guest
from lumeire.staff.access import GROUP_OF_ROLE
from lumeire.staff.roles import Role

pytestmark = pytest.mark.django_db

ORDERS = "/backoffice/orders/order/"
REASON = "The guest called about a missing parcel."


@pytest.fixture(autouse=True)
def _fresh_counters():
    caches["shared"].clear()


def _reveal(client: Client, order, field: str):
    data = {"field": field, "reason_category": "order_support", "reason": REASON}
    return client.post(f"{ORDERS}{order.pk}/reveal/", data)


def test_the_order_page_names_the_customer_guest_and_masks_the_email():
    order = place_as_guest(guest_cart([(shelf_variant(), 1)])).order
    client = signed_in(make_staff(groups=[GROUP_OF_ROLE[Role.CUSTOMER_SERVICE]]))

    page = client.get(f"{ORDERS}{order.pk}/change/").content.decode()

    assert "<dd data-order-customer>Guest</dd>" in page
    assert GUEST_EMAIL not in page and "Aisha Al-Harbi" not in page
    assert f"{ORDERS}{order.pk}/reveal/?field=guest_email" in page


def test_revealing_a_guests_email_is_audited_with_the_order_as_subject():
    order = place_as_guest(guest_cart([(shelf_variant(), 1)])).order
    staff = make_staff(groups=[GROUP_OF_ROLE[Role.CUSTOMER_SERVICE]])

    shown = _reveal(signed_in(staff), order, "guest_email")

    assert shown.status_code == 200
    assert GUEST_EMAIL in shown.content.decode()
    [entry] = AuditEntry.objects.filter(action=AuditAction.REVEAL)
    assert (entry.actor_id, entry.subject_id, entry.target_id) == (
        staff.pk,
        order.pk,
        order.number,
    )
    assert entry.fields == ["guest_email"]


def test_fulfilment_may_not_reveal_a_guests_email_and_the_attempt_is_recorded():
    order = place_as_guest(guest_cart([(shelf_variant(), 1)])).order
    staff = make_staff(groups=[GROUP_OF_ROLE[Role.FULFILMENT]])

    refused = _reveal(signed_in(staff), order, "guest_email")

    assert refused.status_code == 403
    assert GUEST_EMAIL not in refused.content.decode()
    entry = AuditEntry.objects.get(action=AuditAction.REVEAL_REFUSED)
    assert entry.subject_id == order.pk
