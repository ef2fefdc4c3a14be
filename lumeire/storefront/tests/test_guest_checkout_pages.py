"""Guest checkout on the web, without scripts: the choice, the steps asking only what delivery
and the receipt need, cash and card, the order's link, its page, cancelling, the invoice, and
"Find my order", which never tells whether an order exists."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.core.cache import caches
from django.test import Client
from django.utils import timezone

from lumeire.checkout.models import AgeRestrictionRefusal
from lumeire.core.tests.markup import parse
from lumeire.invoicing.models import CreditNote
from lumeire.orders.guests import guest_link_secret, guest_orders_erase_due
from lumeire.orders.models import Order, OrderEvent, OrderStatus
from lumeire.storefront.tests.test_checkout_pages import (
    ADDRESS,
    APPROVED,
    PLACED,
    add,
    alert,
    card_token,
    goods,  # noqa: F401 - a fixture
    place,
    stock,
    words,
)
from lumeire.vault.fields import is_erased

pytestmark = pytest.mark.django_db

EMAIL = "guest.shopper@example.com"
LINK = re.compile(r"/en/orders/(LUM-[0-9A-Z-]{9})/link/([A-Za-z0-9_-]{43})/")


@pytest.fixture(autouse=True)
def _fresh_counters():
    caches["shared"].clear()


def page_text(html: str) -> str:
    """The words of the page's body, as read."""
    return words(parse(html).find_all("body")[0].text)


def without_csrf(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def as_guest(client: Client) -> None:
    chose = client.post("/en/checkout/guest/")
    assert chose["Location"] == "/en/checkout/address/"


def guest_to_payment(client: Client, email: str = EMAIL) -> str:
    as_guest(client)
    typed = client.post("/en/checkout/address/", {"email": email, **ADDRESS})
    assert typed["Location"] == "/en/checkout/delivery/", typed.content.decode()[:800]
    chosen = client.post("/en/checkout/delivery/", {"shipping_method": "standard"})
    assert chosen["Location"] == "/en/checkout/review/"
    page = client.get("/en/checkout/payment/")
    assert page.status_code == 200
    return page.content.decode()


def placed_number(response) -> str:
    assert response.status_code == 302, response.content.decode()[:800]
    return PLACED.match(response["Location"])[1]


def test_the_cart_and_the_checkout_offer_signing_in_or_continuing_as_a_guest(goods):  # noqa: F811
    client = Client()
    add(client, "brass-lamp", "LAMP")

    cart = client.get("/en/cart/").content.decode()
    choice = client.get("/en/checkout/").content.decode()

    assert 'action="/en/checkout/guest/"' in cart
    assert "Continue as guest" in page_text(cart)
    assert "Continue as guest" in page_text(choice)
    assert 'href="/en/account/sign-in/?next=%2Fen%2Fcheckout%2F"' in choice
    # The steps are closed until the shopper chooses.
    assert client.get("/en/checkout/address/")["Location"] == "/en/checkout/"


def test_the_guest_form_asks_only_for_email_name_phone_and_address(goods):  # noqa: F811
    client = Client()
    add(client, "brass-lamp", "LAMP")
    as_guest(client)

    forms = parse(client.get("/en/checkout/address/").content.decode()).find_all("form")
    form = next(f for f in forms if f.attrs.get("action") == "/en/checkout/address/")
    names = {i.attrs.get("name") for i in [*form.find_all("input"), *form.find_all("select")]}

    assert names - {"csrfmiddlewaretoken", "choice"} == {"email", *ADDRESS}
    assert not names & {"date_of_birth", "identity_number", "password", "password1"}


def test_a_wrong_email_is_shown_beside_its_field_and_the_typing_is_kept(goods):  # noqa: F811
    client = Client()
    add(client, "brass-lamp", "LAMP")
    as_guest(client)

    response = client.post("/en/checkout/address/", {"email": "nope", **ADDRESS})

    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter the email address the receipt and your order&#x27;s link go to." in html
    assert 'value="Noura Al-Qahtani"' in html


def test_a_guest_buys_with_cash_on_delivery_and_reaches_the_order_by_its_link(
    goods,  # noqa: F811
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    client = Client()
    add(client, "brass-lamp", "LAMP", 2)
    html = guest_to_payment(client)

    with django_capture_on_commit_callbacks(execute=True):
        number = placed_number(place(client, "cod", html))

    order = Order.objects.get(number=number)
    assert order.customer_id is None and order.guest_email == EMAIL
    assert stock("LAMP") == 3
    placed = client.get(f"/en/orders/{number}/placed/").content.decode()
    assert number in placed
    assert guest_link_secret(order) in placed
    [email] = mailoutbox
    assert email.to == [EMAIL]
    [(linked, secret)] = LINK.findall(email.body)
    assert linked == number

    # Another browser, with the emailed link only.
    later = Client()
    opened = later.get(f"/en/orders/{number}/link/{secret}/")
    assert opened.status_code == 302
    assert opened["Location"] == f"/en/orders/{number}/guest/"
    assert opened["Referrer-Policy"] == "no-referrer"
    page = later.get(opened["Location"])
    text = page_text(page.content.decode())
    assert page.status_code == 200
    assert "Brass lamp" in text and "Pending payment" in text and "Noura Al-Qahtani" in text
    assert secret not in page.content.decode()
    invoice = later.get(f"/en/orders/{number}/guest/invoice/")
    assert invoice.status_code == 200 and order.invoice_number in invoice.content.decode()
    pdf = later.get(f"/en/orders/{number}/guest/invoice.pdf")
    assert pdf["Content-Type"] == "application/pdf"


def test_a_guest_pays_by_card_like_a_customer(goods):  # noqa: F811
    client = Client()
    add(client, "glass-vase", "VASE")
    guest_to_payment(client)
    client.get(card_token(client, APPROVED))

    number = placed_number(place(client, "card"))

    order = Order.objects.get(number=number)
    assert order.status == OrderStatus.PAID and order.card_last4 == "4242"
    assert order.customer_id is None


def test_a_guest_cancels_after_confirming_and_the_goods_go_back(goods):  # noqa: F811
    client = Client()
    add(client, "brass-lamp", "LAMP")
    guest_to_payment(client)
    number = placed_number(place(client, "cod"))

    asked = client.get(f"/en/orders/{number}/guest/cancel/")
    not_confirmed = client.post(f"/en/orders/{number}/guest/cancel/", {})
    unchanged = Order.objects.get(number=number).status
    done = client.post(f"/en/orders/{number}/guest/cancel/", {"confirm": "yes"})

    assert asked.status_code == 200 and "Yes, cancel the order" in asked.content.decode()
    assert not_confirmed.status_code == 200 and unchanged == OrderStatus.PENDING_PAYMENT
    assert done["Location"] == f"/en/orders/{number}/guest/"
    assert Order.objects.get(number=number).status == OrderStatus.CANCELLED
    assert stock("LAMP") == 5
    page = client.get(done["Location"]).content.decode()
    assert f'href="/en/orders/{number}/guest/credit-note/"' in page
    credit_note = client.get(f"/en/orders/{number}/guest/credit-note/")
    assert credit_note.status_code == 200
    pdf_link = f"/en/orders/{number}/guest/credit-note.pdf"
    assert f'href="{pdf_link}"' in credit_note.content.decode()
    pdf = client.get(pdf_link)
    credit_number = CreditNote.objects.get(order__number=number).number
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
    assert f'filename="{credit_number}.pdf"' in pdf["Content-Disposition"]
    # Without the link's session, the same 404 as an order that does not exist.
    assert Client().get(pdf_link).status_code == 404


def test_an_age_restricted_product_is_refused_to_a_guest_with_an_offer_to_sign_in(
    goods,  # noqa: F811
):
    client = Client()
    add(client, "oud-perfume", "OUD")

    choice = client.get("/en/checkout/").content.decode()
    assert "A guest cannot buy them." in page_text(choice)
    assert 'action="/en/checkout/guest/"' not in choice

    # Reaching the last step anyway places nothing.
    html = guest_to_payment(client)
    refused = place(client, "cod", html)

    assert refused.status_code == 400
    assert any("Sign in or create an account to buy it." in line for line in alert(refused))
    assert Order.objects.count() == 0
    assert AgeRestrictionRefusal.objects.count() == 0
    assert stock("OUD") == 4


def test_a_wrong_link_and_an_erased_order_are_the_same_not_found(goods):  # noqa: F811
    client = Client()
    add(client, "brass-lamp", "LAMP")
    guest_to_payment(client)
    number = placed_number(place(client, "cod"))
    order = Order.objects.get(number=number)
    secret = guest_link_secret(order)

    wrong = Client().get(f"/en/orders/{number}/link/{'A' * 43}/")
    no_session = Client().get(f"/en/orders/{number}/guest/")
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.DELIVERED)
    OrderEvent.objects.filter(order=order).update(at=timezone.now() - timezone.timedelta(days=40))
    assert guest_orders_erase_due(now=timezone.now()) == 1
    erased_link = Client().get(f"/en/orders/{number}/link/{secret}/")
    open_page = client.get(f"/en/orders/{number}/guest/")

    assert [wrong.status_code, no_session.status_code, erased_link.status_code] == [404] * 3
    # Even the browser that placed it no longer sees the order.
    assert open_page.status_code == 404
    assert is_erased(Order.objects.get(pk=order.pk).guest_email)


def test_find_my_order_gives_the_same_answer_whether_or_not_an_order_matches(
    goods,  # noqa: F811
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    client = Client()
    add(client, "brass-lamp", "LAMP")
    guest_to_payment(client)
    number = placed_number(place(client, "cod"))
    mailoutbox.clear()
    answers = []
    for typed in (
        {"number": number, "email": EMAIL},
        {"number": number, "email": "other@example.com"},
        {"number": "LUM-0000-0000", "email": EMAIL},
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = Client().post("/en/orders/find/", typed)
        assert response.status_code == 200
        answers.append(without_csrf(response.content.decode()))

    assert answers[0] == answers[1] == answers[2]
    assert "its link is on its way" in page_text(answers[0])
    [email] = mailoutbox
    assert email.to == [EMAIL]
    site = settings.LUMEIRE_SITE_URL.rstrip("/")
    assert f"{site}/en/orders/{number}/link/" in email.body


def test_the_arabic_guest_checkout_speaks_arabic(goods):  # noqa: F811
    client = Client()
    add(client, "brass-lamp", "LAMP")

    choice = client.get("/ar/checkout/").content.decode()
    client.post("/ar/checkout/guest/")
    form = client.get("/ar/checkout/address/").content.decode()

    assert "المتابعة كضيف" in choice
    assert "يُرسل الإيصال ورابط طلبك إلى هذا العنوان." in form
