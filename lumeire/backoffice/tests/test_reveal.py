"""Masked by default, revealed with a reason: who sees which Reveal link, what a reveal shows and
records, forged reveals refused and recorded for every role, and fulfilment's delivery view."""

from __future__ import annotations

import pytest
from django.test import Client

from lumeire.accounts.pseudonyms import client_ref
from lumeire.accounts.tests.factories import identity_number, make_customer
from lumeire.audit.models import AuditAction, AuditEntry, RevealReason
from lumeire.audit.selectors import reveals_of_subject
from lumeire.backoffice.reveal import DELIVERY_REASON
from lumeire.backoffice.tests.factories import make_staff, signed_in
from lumeire.checkout.tests.order_factories import SHIPPING_NAME, STREET, place_order
from lumeire.orders.errors import OrderError
from lumeire.orders.models import ADDRESS_FIELDS, Order, OrderStatus
from lumeire.orders.services import order_cancel_by_customer, order_transition
from lumeire.staff.access import GROUP_OF_ROLE
from lumeire.staff.roles import Role

pytestmark = pytest.mark.django_db

CUSTOMERS = "/backoffice/accounts/customer/"
ORDERS = "/backoffice/orders/order/"
CLEAR_PHONE = "+966501234567"
MASKED_NAME = "A*** A***"
MASKED_PHONE = "+966 5** *** *67"
REASON = "The customer called about a missing parcel."
CLIENT = "127.0.0.1"  # the test client's REMOTE_ADDR
IDENTITY = identity_number(4321)
IDENTITY_MASKED = "1*********"  # the first digit only: its type


def _staff(role: Role):
    return make_staff(groups=[GROUP_OF_ROLE[role]])


def _customer_url(customer, suffix: str = "change/") -> str:
    return f"{CUSTOMERS}{customer.pk}/{suffix}"


def _order_url(order: Order, suffix: str = "change/") -> str:
    return f"{ORDERS}{order.pk}/{suffix}"


def _reveal(client: Client, url: str, field: str, **overrides: str):
    data = {"field": field, "reason_category": "order_support", "reason": REASON, **overrides}
    return client.post(url, data)


def _entries(action: AuditAction) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("id"))


@pytest.fixture
def customer():
    return make_customer(
        username="haya.q",
        email="haya.qahtani@example.com",
        full_name="Haya Al-Qahtani",
        identity_number=IDENTITY,
    )


# --- the customer page ------------------------------------------------------------------------

CUSTOMER_LINKS = {
    Role.OWNER: {"full_name", "username", "email", "phone", "identity_number", "date_of_birth"},
    Role.CUSTOMER_SERVICE: {"full_name", "username", "email", "phone"},
    Role.COMPLIANCE_OFFICER: {"identity_number", "date_of_birth"},
    Role.LEGAL_COUNSEL: set(),
}
CUSTOMER_FIELDS = {"full_name", "username", "email", "phone", "identity_number", "date_of_birth"}


@pytest.mark.parametrize("role", list(CUSTOMER_LINKS))
def test_each_role_sees_the_customer_masked_with_only_its_own_reveal_links(role, customer):
    place_order(customer=customer)  # a saved address with a phone
    content = signed_in(_staff(role)).get(_customer_url(customer)).content.decode()
    assert "H*** A***" in content
    assert "h***@example.com" in content
    assert IDENTITY_MASKED in content
    assert MASKED_PHONE in content
    for clear in ("Haya", "Al-Qahtani", "haya.qahtani", "haya.q", IDENTITY, CLEAR_PHONE):
        assert clear not in content
    assert "1990" not in content and "-05-17" not in content
    links = {f for f in CUSTOMER_FIELDS if f"reveal/?field={f}" in content}
    assert links == CUSTOMER_LINKS[role]
    assert ("reveal/?field=all" in content) == bool(CUSTOMER_LINKS[role])


def test_customer_service_reveals_the_email_with_a_reason_for_one_page_view(customer):
    staff = _staff(Role.CUSTOMER_SERVICE)
    client = signed_in(staff)
    url = _customer_url(customer, "reveal/")
    form = client.get(url, {"field": "email"})
    assert form.status_code == 200
    assert 'name="reason_category"' in form.content.decode()
    assert "haya.qahtani@example.com" not in form.content.decode()
    assert not _entries(AuditAction.REVEAL)

    response = _reveal(client, url, "email")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    content = response.content.decode()
    assert "haya.qahtani@example.com" in content
    assert "Haya" not in content and IDENTITY not in content  # only the field asked for
    (entry,) = _entries(AuditAction.REVEAL)
    assert entry.actor_id == staff.pk
    assert entry.subject_id == customer.pk
    assert (entry.target_type, entry.target_id) == ("customer", str(customer.pk))
    assert entry.fields == ["email"]
    assert entry.reason_category == RevealReason.ORDER_SUPPORT
    assert entry.reason == REASON
    assert entry.client_ref == client_ref(CLIENT)
    assert [e.pk for e in reveals_of_subject(customer.pk)] == [entry.pk]
    # Nothing clear is kept: the session holds no value, and the page is masked again.
    assert "haya.qahtani" not in str(dict(client.session.items()))
    again = client.get(_customer_url(customer)).content.decode()
    assert "haya.qahtani@example.com" not in again and "h***@example.com" in again


def test_reveal_every_field_the_role_may_see_records_their_names(customer):
    place_order(customer=customer)
    client = signed_in(_staff(Role.CUSTOMER_SERVICE))
    response = _reveal(client, _customer_url(customer, "reveal/"), "all")
    assert response.status_code == 200
    content = response.content.decode()
    for clear in ("Haya Al-Qahtani", "haya.q", "haya.qahtani@example.com", CLEAR_PHONE):
        assert clear in content
    assert IDENTITY not in content
    (entry,) = _entries(AuditAction.REVEAL)
    assert entry.fields == ["full_name", "username", "email", "phone"]


def test_compliance_officer_reveals_the_identity_number(customer):
    client = signed_in(_staff(Role.COMPLIANCE_OFFICER))
    response = _reveal(
        client,
        _customer_url(customer, "reveal/"),
        "identity_number",
        reason_category="legal_request",
    )
    assert response.status_code == 200
    assert IDENTITY in response.content.decode()
    (entry,) = _entries(AuditAction.REVEAL)
    assert (entry.fields, entry.reason_category) == (["identity_number"], "legal_request")


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"reason": "too short"}, "Write at least 10 characters."),
        ({"reason": "x" * 301}, "Write at most 300 characters."),
        ({"reason": "   "}, "Explain why you need this value."),
        ({"reason_category": ""}, "Choose a reason."),
        ({"reason_category": "curiosity"}, "Choose a reason."),
    ],
)
def test_a_reveal_without_a_proper_reason_shows_nothing_and_records_nothing(
    data, problem, customer
):
    client = signed_in(_staff(Role.OWNER))
    response = _reveal(client, _customer_url(customer, "reveal/"), "email", **data)
    assert response.status_code == 400
    content = response.content.decode()
    assert problem in content
    assert "haya.qahtani@example.com" not in content
    assert AuditEntry.objects.filter(action__in=["reveal", "reveal_refused"]).count() == 0


def test_an_unknown_field_is_bad_input_not_a_reveal(customer):
    client = signed_in(_staff(Role.OWNER))
    response = _reveal(client, _customer_url(customer, "reveal/"), "password")
    assert response.status_code == 400
    assert AuditEntry.objects.filter(action__in=["reveal", "reveal_refused"]).count() == 0


def test_a_reveal_needs_a_post_with_the_csrf_token(customer):
    client = Client(enforce_csrf_checks=True)
    client.cookies = signed_in(_staff(Role.OWNER)).cookies
    response = _reveal(client, _customer_url(customer, "reveal/"), "email")
    assert response.status_code == 403
    assert "haya.qahtani@example.com" not in response.content.decode()
    assert not _entries(AuditAction.REVEAL)


# --- forged reveals ---------------------------------------------------------------------------

# Per role, the customer fields it may not reveal (a forged POST for each is refused).
FORBIDDEN_CUSTOMER_FIELDS = {
    Role.CUSTOMER_SERVICE: ["identity_number", "date_of_birth"],
    Role.COMPLIANCE_OFFICER: ["email", "full_name", "phone"],
    Role.LEGAL_COUNSEL: ["email", "identity_number", "all"],
    Role.FULFILMENT: ["phone", "email"],
    Role.CATALOGUE_MANAGER: ["email", "identity_number"],
    Role.ANALYST: ["full_name", "all"],
}


@pytest.mark.parametrize("role", list(FORBIDDEN_CUSTOMER_FIELDS))
def test_a_forged_customer_reveal_is_refused_and_recorded_for_every_role(role, customer):
    place_order(customer=customer)
    staff = _staff(role)
    client = signed_in(staff)
    for field in FORBIDDEN_CUSTOMER_FIELDS[role]:
        before = AuditEntry.objects.filter(action=AuditAction.REVEAL_REFUSED).count()
        response = _reveal(client, _customer_url(customer, "reveal/"), field)
        assert response.status_code == 403, (role, field)
        content = response.content.decode()
        for clear in ("haya.qahtani@example.com", IDENTITY, "Haya", CLEAR_PHONE):
            assert clear not in content
        refused = AuditEntry.objects.filter(action=AuditAction.REVEAL_REFUSED).order_by("id")
        assert refused.count() == before + 1
        entry = refused.last()
        assert (entry.actor_id, entry.subject_id) == (staff.pk, customer.pk)
        assert entry.target_type == "customer"
        assert entry.client_ref == client_ref(CLIENT)
        if field != "all":
            assert entry.fields == [field]
    assert not _entries(AuditAction.REVEAL)


# Per role, the order fields it may not reveal.
FORBIDDEN_ORDER_FIELDS = {
    Role.COMPLIANCE_OFFICER: ["full_name", "phone", "street", "card"],
    Role.FULFILMENT: ["card"],
    Role.LEGAL_COUNSEL: ["full_name", "all"],
    Role.CATALOGUE_MANAGER: ["phone"],
    Role.ANALYST: ["full_name", "card"],
}


@pytest.mark.parametrize("role", list(FORBIDDEN_ORDER_FIELDS))
def test_a_forged_order_reveal_is_refused_and_recorded_for_every_role(role):
    order = place_order(payment="card")
    staff = _staff(role)
    client = signed_in(staff)
    for field in FORBIDDEN_ORDER_FIELDS[role]:
        response = _reveal(client, _order_url(order, "reveal/"), field)
        assert response.status_code == 403, (role, field)
        content = response.content.decode()
        for clear in (SHIPPING_NAME, CLEAR_PHONE, STREET, "4242"):
            assert clear not in content
        entry = AuditEntry.objects.filter(action=AuditAction.REVEAL_REFUSED).latest("id")
        assert (entry.actor_id, entry.subject_id) == (staff.pk, order.customer_id)
        assert (entry.target_type, entry.target_id) == ("order", order.number)
    assert AuditEntry.objects.filter(action=AuditAction.REVEAL_REFUSED).count() == len(
        FORBIDDEN_ORDER_FIELDS[role]
    )
    assert not _entries(AuditAction.REVEAL)


def test_a_forged_reveal_of_a_record_that_does_not_exist_is_still_recorded():
    client = signed_in(_staff(Role.ANALYST))
    response = _reveal(client, f"{CUSTOMERS}not-a-customer/reveal/", "email")
    assert response.status_code == 403
    entry = AuditEntry.objects.get(action=AuditAction.REVEAL_REFUSED)
    assert (entry.target_id, entry.subject_id) == ("not-a-customer", None)


def test_the_reveal_form_is_refused_without_a_record_when_only_opened(customer):
    client = signed_in(_staff(Role.CUSTOMER_SERVICE))
    response = client.get(_customer_url(customer, "reveal/"), {"field": "identity_number"})
    assert response.status_code == 403
    assert AuditEntry.objects.filter(action__in=["reveal", "reveal_refused"]).count() == 0


# --- the order page ---------------------------------------------------------------------------


def test_owner_and_customer_service_see_the_order_masked_with_reveal_links(db):
    order = place_order(payment="card")
    for role in (Role.OWNER, Role.CUSTOMER_SERVICE):
        content = signed_in(_staff(role)).get(_order_url(order)).content.decode()
        assert MASKED_NAME in content and MASKED_PHONE in content
        assert "K*** F*** R***" in content
        for clear in (SHIPPING_NAME, CLEAR_PHONE, STREET, "12211", "Jeddah", "4242"):
            assert clear not in content
        assert "Card ending in ****" in content
        for field in (*ADDRESS_FIELDS, "card", "all"):
            assert f"reveal/?field={field}" in content, (role, field)
    assert AuditEntry.objects.filter(action=AuditAction.REVEAL).count() == 0


def test_compliance_officer_sees_the_order_masked_without_reveal_links(db):
    order = place_order(payment="card")
    content = signed_in(_staff(Role.COMPLIANCE_OFFICER)).get(_order_url(order)).content.decode()
    assert MASKED_NAME in content
    assert SHIPPING_NAME not in content and CLEAR_PHONE not in content
    assert "reveal/?field=" not in content


def test_customer_service_reveals_the_card_and_the_phone_of_an_order(db):
    order = place_order(payment="card")
    client = signed_in(_staff(Role.CUSTOMER_SERVICE))
    card = _reveal(client, _order_url(order, "reveal/"), "card")
    assert card.status_code == 200
    assert "Visa ending in 4242" in card.content.decode()
    assert SHIPPING_NAME not in card.content.decode()
    phone = _reveal(client, _order_url(order, "reveal/"), "phone", reason_category="delivery")
    assert CLEAR_PHONE in phone.content.decode()
    first, second = _entries(AuditAction.REVEAL)
    assert (first.fields, second.fields) == (["card_brand", "card_last4"], ["phone"])
    assert {first.target_id, second.target_id} == {order.number}
    assert {first.subject_id, second.subject_id} == {order.customer_id}


def test_fulfilment_sees_the_address_of_an_order_ready_to_go_and_it_is_recorded(db):
    cash = place_order()  # pending payment, cash on delivery
    card = place_order(payment="card")  # paid
    staff = _staff(Role.FULFILMENT)
    client = signed_in(staff)
    for order in (cash, card):
        response = client.get(_order_url(order))
        content = response.content.decode()
        assert SHIPPING_NAME in content and CLEAR_PHONE in content and STREET in content
        assert "no-store" in response["Cache-Control"]
        assert "reveal/?field=" not in content
        assert "4242" not in content  # the card is not fulfilment's
        entry = AuditEntry.objects.filter(action=AuditAction.REVEAL).latest("id")
        assert (entry.actor_id, entry.subject_id) == (staff.pk, order.customer_id)
        assert (entry.target_type, entry.target_id) == ("order", order.number)
        assert entry.fields == list(ADDRESS_FIELDS)
        assert (entry.reason_category, entry.reason) == (RevealReason.DELIVERY, DELIVERY_REASON)
    client.get(_order_url(cash))
    assert AuditEntry.objects.filter(action=AuditAction.REVEAL).count() == 3  # once per view


@pytest.mark.parametrize("end", ["shipped", "delivered", "cancelled", "refunded"])
def test_fulfilment_sees_an_order_past_its_work_masked_and_cannot_reveal_it(owner, end):
    order = place_order(payment="card")
    if end in ("shipped", "delivered"):
        order = order_transition(actor=owner, order=order, to=OrderStatus.PACKED)
        order = order_transition(actor=owner, order=order, to="shipped", tracking_number="TRK-9")
    if end != "shipped":
        order = order_transition(actor=owner, order=order, to=end)
    staff = _staff(Role.FULFILMENT)
    client = signed_in(staff)
    content = client.get(_order_url(order)).content.decode()
    assert MASKED_NAME in content and SHIPPING_NAME not in content
    assert "reveal/?field=" not in content
    for field in ("full_name", "all"):
        forged = _reveal(client, _order_url(order, "reveal/"), field, reason_category="delivery")
        assert forged.status_code == 403
        assert SHIPPING_NAME not in forged.content.decode()
    assert not _entries(AuditAction.REVEAL)
    refusals = _entries(AuditAction.REVEAL_REFUSED)
    assert [(e.actor_id, e.target_id) for e in refusals] == [(staff.pk, order.number)] * 2


def test_fulfilment_finds_no_customers(customer):
    client = signed_in(_staff(Role.FULFILMENT))
    assert client.get(CUSTOMERS).status_code == 403
    assert client.get(_customer_url(customer)).status_code == 403


# --- staff changes to orders ------------------------------------------------------------------


def test_each_staff_move_on_an_order_is_audited_with_its_statuses(owner, fulfilment):
    order = place_order()
    order_transition(actor=fulfilment, order=order, to=OrderStatus.PACKED)
    order_transition(actor=fulfilment, order=order, to=OrderStatus.SHIPPED, tracking_number="T-1")
    packed, shipped = _entries(AuditAction.ORDER_CHANGED)
    for entry in (packed, shipped):
        assert entry.actor_id == fulfilment.pk
        assert (entry.target_type, entry.target_id) == ("order", order.number)
        assert entry.subject_id == order.customer_id
    assert (packed.fields, packed.reason) == (["status"], "pending_payment -> packed")
    assert (shipped.fields, shipped.reason) == (["status", "tracking_number"], "packed -> shipped")


def test_a_customer_cancelling_or_a_refused_move_writes_no_order_audit_entry(fulfilment):
    order = place_order()
    order_cancel_by_customer(customer=order.customer, order=order)
    with pytest.raises(OrderError):
        order_transition(actor=fulfilment, order=order, to=OrderStatus.PACKED)
    assert AuditEntry.objects.filter(action=AuditAction.ORDER_CHANGED).count() == 0
