"""Checkout on the web: each step, each refusal (which places nothing), cards through the test
gateway's own form, and a doubled click that still makes one order."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlencode

import pytest
from django.test import Client

from lumeire.accounts.tests.factories import make_customer
from lumeire.accounts.tests.web_sign_in import field_errors, sign_in, signed_in_client
from lumeire.cart.selectors import cart_of_user
from lumeire.catalog.models import Variant
from lumeire.catalog.tests.factories import make_category, make_product
from lumeire.checkout.models import Address, AgeRestrictionRefusal, PaymentAttempt
from lumeire.core.tests.markup import parse
from lumeire.orders.models import Order
from lumeire.storefront.tests.shop import text_of, with_class

pytestmark = pytest.mark.django_db

ADDRESS = {
    "full_name": "Noura Al-Qahtani",
    "phone": "0501234567",
    "city": "Riyadh",
    "district": "Al Olaya",
    "street": "King Fahd Road",
    "building": "7421",
    "postal_code": "12211",
    "country": "SA",
}
APPROVED = "4242424242424242"
DECLINED = "4000000000000002"
ORDER_NUMBER = re.compile(r"^LUM-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")
PLACED = re.compile(r"^/en/orders/(LUM-[0-9A-Z]{4}-[0-9A-Z]{4})/placed/$")


@pytest.fixture
def goods(db):
    category = make_category("living", name_en="Living", name_ar="المعيشة")
    return {
        "lamp": make_product(
            category=category,
            slug="brass-lamp",
            name_en="Brass lamp",
            name_ar="مصباح نحاسي",
            variants=[{"sku": "LAMP", "price": "80.00", "stock": 5}],
        ),
        "vase": make_product(
            category=category,
            slug="glass-vase",
            name_en="Glass vase",
            name_ar="مزهرية زجاج",
            variants=[{"sku": "VASE", "price": "200.00", "stock": 3}],
        ),
        "oud": make_product(
            category=category,
            slug="oud-perfume",
            name_en="Oud perfume",
            name_ar="عطر العود",
            min_age=21,
            variants=[{"sku": "OUD", "price": "250.00", "stock": 4}],
        ),
    }


@pytest.fixture
def customer(db):
    return make_customer(username="noura", email="noura@example.com")


@pytest.fixture
def shopper(customer, goods) -> Client:
    """Noura, signed in, with one brass lamp in her cart."""
    client = signed_in_client("noura")
    add(client, "brass-lamp", "LAMP")
    return client


def add(client: Client, slug: str, sku: str, quantity: int = 1) -> None:
    response = client.post(f"/en/p/{slug}/", {"sku": sku, "quantity": quantity})
    assert response.status_code == 302, response.content.decode()[:500]


def cart_lines(user) -> dict[str, int]:
    cart = cart_of_user(user)
    return dict(cart.lines.values_list("variant__sku", "quantity")) if cart else {}


def stock(sku: str) -> int:
    return Variant.objects.get(sku=sku).stock


def choose_address(client: Client, **overrides: str):
    return client.post("/en/checkout/address/", {"choice": "new", **ADDRESS, **overrides})


def to_payment(client: Client, method: str = "standard") -> str:
    """Go through address and delivery; return the payment page's HTML."""
    assert choose_address(client)["Location"] == "/en/checkout/delivery/"
    chosen = client.post("/en/checkout/delivery/", {"shipping_method": method})
    assert chosen["Location"] == "/en/checkout/review/"
    page = client.get("/en/checkout/payment/")
    assert page.status_code == 200
    return page.content.decode()


def hidden_fields(html: str) -> dict[str, str]:
    """The place-order form's hidden inputs (key, expected total, CSRF)."""
    form = next(f for f in parse(html).find_all("form") if f.attrs["action"].endswith("/place/"))
    return {
        i.attrs["name"]: i.attrs.get("value", "")
        for i in form.find_all("input")
        if i.attrs.get("type") == "hidden"
    }


def place(client: Client, payment: str = "cod", html: str | None = None):
    html = html or client.get("/en/checkout/payment/").content.decode()
    return client.post("/en/checkout/place/", {**hidden_fields(html), "payment": payment})


def card_token(client: Client, number: str) -> str:
    """Type a card into the gateway's form as a shopper would; follow it back to checkout."""
    gateway = "/en/payments/test-gateway/card/?" + urlencode({"return_to": "/en/checkout/payment/"})
    typed = {"number": number, "exp_month": "12", "exp_year": "2030", "cvc": "123"}
    back = client.post(gateway, typed)
    assert back.status_code == 303, back.content.decode()[:500]
    assert back["Location"].startswith("/en/checkout/payment/?card_token=tok_")
    return back["Location"]


def words(text: str) -> str:
    """Text as read: runs of spaces and line breaks made one space (no-break spaces kept)."""
    return re.sub(r"[ \t\n]+", " ", text).strip()


def alert(response) -> list[str]:
    """The paragraphs of the page's alert box."""
    boxes = with_class(parse(response.content.decode()), "div", "form-alert")
    return [words(p.text) for box in boxes for p in box.find_all("p")]


def totals(html: str) -> list[tuple[str, str]]:
    """The rows of the totals box: what each amount is, and the amount."""
    box = with_class(parse(html), "dl", "checkout-totals")[0]
    return [
        (words(d.find_all("dt")[0].text), words(d.find_all("dd")[0].text))
        for d in box.find_all("div")
    ]


def texts(html: str, tag: str, name: str) -> list[str]:
    return [words(e.text) for e in with_class(parse(html), tag, name)]


# --- Getting in ---------------------------------------------------------------------------------


def test_a_guest_chooses_to_sign_in_and_comes_back_with_the_cart(customer, goods):
    guest = Client()
    add(guest, "brass-lamp", "LAMP", 2)

    choice = guest.get("/en/checkout/")
    html = choice.content.decode()
    sign_in_url = "/en/account/sign-in/?next=%2Fen%2Fcheckout%2F"
    signed_in = sign_in(guest, "noura", next="/en/checkout/")

    assert choice.status_code == 200
    assert f'href="{sign_in_url}"' in html
    assert 'action="/en/checkout/guest/"' in html
    assert "Create an account: your cart is kept" in words(parse(html).find_all("body")[0].text)
    assert signed_in["Location"] == "/en/checkout/"
    assert guest.get("/en/checkout/")["Location"] == "/en/checkout/address/"
    assert cart_lines(customer) == {"LAMP": 2}


def test_an_empty_cart_goes_back_to_the_cart_with_a_message(customer, goods):
    client = signed_in_client("noura")

    for url in ("/en/checkout/", "/en/checkout/address/", "/en/checkout/payment/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == "/en/cart/", url
    cart = client.get("/en/cart/")
    assert "Your cart is empty. Add something to it before checking out." in text_of(
        parse(cart.content.decode()), "p", "notice"
    )
    assert Order.objects.count() == 0


def test_the_cart_page_offers_checkout(shopper):
    html = shopper.get("/en/cart/").content.decode()

    links = [a for a in parse(html).find_all("a") if a.attrs.get("href") == "/en/checkout/"]
    assert [a.text.strip() for a in links] == ["Checkout"]


def test_steps_cannot_be_skipped(shopper):
    assert shopper.get("/en/checkout/delivery/")["Location"] == "/en/checkout/address/"
    assert shopper.get("/en/checkout/payment/")["Location"] == "/en/checkout/address/"
    choose_address(shopper)
    assert shopper.get("/en/checkout/review/")["Location"] == "/en/checkout/delivery/"
    assert shopper.get("/en/checkout/place/")["Location"] == "/en/checkout/payment/"


def test_checkout_pages_are_never_stored(shopper):
    response = shopper.get("/en/checkout/address/")

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


# --- Address --------------------------------------------------------------------------------


def test_address_errors_are_shown_beside_their_fields_with_the_typing_kept(shopper, customer):
    response = choose_address(shopper, phone="12345", postal_code="1A", city="")
    html = response.content.decode()

    assert response.status_code == 400
    assert field_errors(html, "phone") == [
        "Enter a mobile number such as 05X XXX XXXX or +9665XXXXXXXX."
    ]
    assert field_errors(html, "postal_code") == ["Enter the 5-digit postal code."]
    assert field_errors(html, "city") == ["Enter 2 to 60 characters."]
    assert field_errors(html, "full_name") == []
    inputs = {i.attrs.get("name"): i.attrs.get("value") for i in parse(html).find_all("input")}
    assert inputs["full_name"] == "Noura Al-Qahtani"
    assert inputs["phone"] == "12345"
    assert inputs["street"] == "King Fahd Road"
    # Nothing was kept: the next step still wants an address, and nothing was saved or placed.
    assert "checkout" not in shopper.session
    assert shopper.get("/en/checkout/delivery/")["Location"] == "/en/checkout/address/"
    assert Address.objects.count() == 0
    assert Order.objects.count() == 0


def test_a_saved_address_is_offered_next_time_and_can_be_chosen(shopper, customer, goods):
    choose_address(shopper, save_address="on")
    shopper.post("/en/checkout/delivery/", {"shipping_method": "standard"})
    assert PLACED.match(place(shopper)["Location"])
    add(shopper, "glass-vase", "VASE")

    page = shopper.get("/en/checkout/address/").content.decode()
    saved = Address.objects.get(customer=customer)
    radios = [i for i in parse(page).find_all("input") if i.attrs.get("name") == "choice"]
    chosen = shopper.post("/en/checkout/address/", {"choice": str(saved.pk)})

    assert [r.attrs["value"] for r in radios] == [str(saved.pk), "new"]
    assert "checked" in radios[0].attrs
    assert "Noura Al-Qahtani, 7421 King Fahd Road, Al Olaya, Riyadh 12211, Saudi Arabia" in page
    assert chosen["Location"] == "/en/checkout/delivery/"
    assert shopper.session["checkout"]["saved_address"] == str(saved.pk)
    assert "address" not in shopper.session["checkout"]


def test_someone_elses_saved_address_cannot_be_chosen(shopper, goods):
    other = make_customer(username="other")
    other_client = signed_in_client("other")
    add(other_client, "brass-lamp", "LAMP")
    choose_address(other_client, save_address="on", full_name="Someone Else")
    other_client.post("/en/checkout/delivery/", {"shipping_method": "standard"})
    place(other_client)
    theirs = Address.objects.get(customer=other)

    response = shopper.post("/en/checkout/address/", {"choice": str(theirs.pk)})

    assert response.status_code == 400
    assert alert(response) == ["Choose one of your saved addresses, or enter a new one."]
    assert "Someone Else" not in response.content.decode()
    assert "checkout" not in shopper.session


def test_an_unticked_save_box_keeps_the_address_for_this_order_only(shopper, customer):
    to_payment(shopper)
    place(shopper)

    assert Address.objects.filter(customer=customer).count() == 0
    assert Order.objects.get().full_name == "Noura Al-Qahtani"


# --- Delivery and review --------------------------------------------------------------------


def shipping_prices(html: str) -> list[str]:
    return texts(html, "span", "choice__price")


def test_delivery_options_show_prices_with_vat_and_free_above_the_threshold(shopper):
    choose_address(shopper)
    below = shopper.get("/en/checkout/delivery/").content.decode()
    add(shopper, "glass-vase", "VASE")  # 80 + 200 = 280 before VAT, 322.00 with it
    above = shopper.get("/en/checkout/delivery/").content.decode()

    assert shipping_prices(below) == ["25.00\u00a0SAR", "50.00\u00a0SAR"]
    assert "Free when your goods come to 300.00\u00a0SAR or more, VAT included." in below
    assert shipping_prices(above) == ["Free", "50.00\u00a0SAR"]


def test_an_unknown_delivery_method_is_refused_and_nothing_is_kept(shopper):
    choose_address(shopper)

    response = shopper.post("/en/checkout/delivery/", {"shipping_method": "teleport"})

    assert response.status_code == 400
    assert field_errors(response.content.decode(), "shipping_method") == [
        "Choose one of the delivery options."
    ]
    assert "shipping_method" not in shopper.session["checkout"]
    assert shopper.get("/en/checkout/review/")["Location"] == "/en/checkout/delivery/"


def test_review_shows_the_lines_subtotal_delivery_vat_and_total(shopper):
    add(shopper, "brass-lamp", "LAMP")  # two lamps: 160.00 before VAT
    choose_address(shopper)
    shopper.post("/en/checkout/delivery/", {"shipping_method": "standard"})

    html = shopper.get("/en/checkout/review/").content.decode()
    review = parse(html)
    rows = [words(tr.text) for tr in review.find_all("tbody")[0].find_all("tr")]

    assert rows == ["Brass lamp 2 184.00\u00a0SAR"]
    assert totals(html) == [
        ("Subtotal", "184.00\u00a0SAR"),
        ("Delivery", "25.00\u00a0SAR"),
        ("Total to pay", "209.00\u00a0SAR"),
        ("VAT included", "27.26\u00a0SAR"),  # 209.00 × 15/115
    ]
    assert "Noura Al-Qahtani" in text_of(review, "address", "checkout-address")[0]
    assert "Standard" in " ".join(text_of(review, "section", "panel"))


# --- Placing --------------------------------------------------------------------------------


def test_cash_on_delivery_places_one_order_and_ends_the_checkout(shopper, customer):
    html = to_payment(shopper)

    placed = place(shopper, html=html)
    number = PLACED.match(placed["Location"])[1]
    thanks = shopper.get(placed["Location"])

    order = Order.objects.get()
    assert ORDER_NUMBER.match(number) and order.number == number
    assert order.customer == customer
    assert (order.status, order.payment_method, order.payment_status) == (
        "pending_payment",
        "cod",
        "due",
    )
    assert str(order.total) == "117.00"  # 80 + 12 VAT + 25.00 standard delivery
    assert order.full_name == "Noura Al-Qahtani" and order.phone == "+966501234567"
    assert order.language == "en"
    assert cart_lines(customer) == {}
    assert stock("LAMP") == 4
    assert "checkout" not in shopper.session
    assert thanks.status_code == 200
    assert text_of(parse(thanks.content.decode()), "strong", "order-number") == [number]


def test_a_card_goes_through_the_gateway_form_and_only_its_token_comes_back(shopper, customer):
    html = to_payment(shopper)
    links = [
        a.attrs["href"] for a in parse(html).find_all("a") if "test-gateway" in a.attrs["href"]
    ]

    back = card_token(shopper, APPROVED)
    cleaned = shopper.get(back)
    ready = shopper.get("/en/checkout/payment/").content.decode()
    placed = place(shopper, "card", ready)

    assert links == ["/en/payments/test-gateway/card/?return_to=%2Fen%2Fcheckout%2Fpayment%2F"]
    assert cleaned.status_code == 302 and cleaned["Location"] == "/en/checkout/payment/"
    assert text_of(parse(ready), "span", "badge") == ["Card ready"]
    assert "tok_" not in ready
    order = Order.objects.get()
    assert placed["Location"] == f"/en/orders/{order.number}/placed/"
    assert (order.status, order.payment_status) == ("paid", "captured")
    assert (order.card_brand, order.card_last4) == ("visa", "4242")
    assert APPROVED not in str(shopper.session.items())
    assert "checkout" not in shopper.session
    assert cart_lines(customer) == {}


def test_a_declined_card_places_nothing_and_leaves_the_cart_as_it_was(shopper, customer):
    to_payment(shopper)
    shopper.get(card_token(shopper, DECLINED))

    response = place(shopper, "card")
    html = response.content.decode()

    assert response.status_code == 402
    assert alert(response) == [
        "Your card was declined. No money was taken; try another card or pay on delivery.",
        "No order was placed. Your cart is as it was.",
    ]
    assert Order.objects.count() == 0
    assert cart_lines(customer) == {"LAMP": 1}
    assert stock("LAMP") == 5
    assert PaymentAttempt.objects.filter(customer=customer, approved=False).count() == 1
    # The refused card is forgotten: the page asks for card details again.
    assert "Card ready" not in html
    assert "Enter card details" in html
    assert "card_token" not in shopper.session["checkout"]


def test_a_card_token_the_gateway_does_not_know_is_refused_and_forgotten(shopper):
    to_payment(shopper)
    shopper.get("/en/checkout/payment/?card_token=tok_made_up_by_hand")

    response = place(shopper, "card")

    assert response.status_code == 400
    assert alert(response) == [
        "These card details have expired or were already used. Enter your card again.",
        "No order was placed. Your cart is as it was.",
    ]
    assert Order.objects.count() == 0
    assert "card_token" not in shopper.session["checkout"]


def test_choosing_card_without_entering_one_is_refused(shopper):
    to_payment(shopper)

    response = place(shopper, "card")

    assert response.status_code == 400
    assert alert(response) == [
        "Enter your card details first.",
        "No order was placed. Your cart is as it was.",
    ]
    assert Order.objects.count() == 0


def test_a_young_customer_is_refused_an_age_restricted_product_on_the_review_step(goods):
    young = make_customer(username="young", date_of_birth=date(date.today().year - 19, 1, 1))
    client = signed_in_client("young")
    add(client, "oud-perfume", "OUD")
    to_payment(client)

    response = place(client)

    assert response.status_code == 400
    assert response.templates[0].name == "storefront/checkout/review.html"
    assert alert(response) == [
        "Oud perfume is sold only to customers aged 21 or over.",
        "No order was placed and nothing was charged.",
        "Change your cart",
    ]
    assert Order.objects.count() == 0
    assert cart_lines(young) == {"OUD": 1}
    assert stock("OUD") == 4
    assert AgeRestrictionRefusal.objects.filter(customer=young, required_age=21).count() == 1


def test_an_item_sold_out_before_placing_is_shown_on_the_review_step(shopper, customer):
    html = to_payment(shopper)
    Variant.objects.filter(sku="LAMP").update(stock=0)

    response = place(shopper, html=html)

    assert response.status_code == 400
    assert alert(response)[0].startswith("Sorry, Brass lamp is sold out.")
    assert Order.objects.count() == 0
    assert cart_lines(customer) == {"LAMP": 1}


def test_a_double_submit_with_the_same_key_places_one_order(shopper, customer):
    html = to_payment(shopper)

    first = place(shopper, html=html)
    second = place(shopper, html=html)

    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Order.objects.count() == 1
    assert stock("LAMP") == 4


def test_a_form_from_another_checkout_is_refused_and_places_nothing(shopper):
    html = to_payment(shopper)
    fields = {**hidden_fields(html), "idempotency_key": "another-key-123", "payment": "cod"}

    response = shopper.post("/en/checkout/place/", fields)

    assert response["Location"] == "/en/checkout/payment/"
    assert Order.objects.count() == 0


def test_a_cart_changed_after_the_payment_page_is_shown_again_before_placing(shopper):
    html = to_payment(shopper)
    add(shopper, "glass-vase", "VASE")

    response = place(shopper, html=html)

    assert response.status_code == 409
    assert alert(response)[0].startswith(
        "Your cart changed since you looked. Check the new total, then continue."
    )
    assert Order.objects.count() == 0


def test_no_personal_value_travels_in_an_address(shopper):
    responses = [choose_address(shopper)]
    responses.append(shopper.post("/en/checkout/delivery/", {"shipping_method": "express"}))
    responses.append(place(shopper))

    locations = " ".join(r["Location"] for r in responses)
    for value in ADDRESS.values():
        if len(value) > 2:
            assert value not in locations


def test_the_placed_page_of_another_customers_order_is_not_found(shopper, goods):
    to_payment(shopper)
    url = place(shopper)["Location"]
    make_customer(username="other")

    assert signed_in_client("other").get(url).status_code == 404
    assert shopper.get(url).status_code == 200


def test_checkout_in_arabic_reads_right_to_left(shopper):
    choose_address(shopper)
    shopper.post("/en/checkout/delivery/", {"shipping_method": "standard"})

    for step in ("address", "delivery", "review", "payment"):
        response = shopper.get(f"/ar/checkout/{step}/")
        html = parse(response.content.decode())
        assert response.status_code == 200, step
        assert html.find_all("html")[0].attrs["dir"] == "rtl", step
    payment = shopper.get("/ar/checkout/payment/").content.decode()
    assert "الدفع عند الاستلام" in payment
    assert "إتمام الطلب" in payment
