"""My orders on the web: the list, one order with its timeline, cancelling while allowed, and the
invoice as a page and a PDF; every order URL of another customer is the same 404 as none."""

from __future__ import annotations

import itertools
import re

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.test import Client

from lumeire.accounts.models import AccountKind, User
from lumeire.accounts.tests.factories import make_customer
from lumeire.accounts.tests.web_sign_in import forms_of, signed_in_client, without_csrf
from lumeire.cart.services import cart_add, customer_cart
from lumeire.catalog.models import Variant
from lumeire.catalog.tests.factories import make_category, make_product
from lumeire.checkout.addresses import parse_address
from lumeire.checkout.services import order_place, parse_payment
from lumeire.core.tests.markup import parse
from lumeire.orders.models import Order, OrderEvent
from lumeire.orders.services import order_transition
from lumeire.payments.services import card_tokenise
from lumeire.storefront.tests.shop import with_class
from lumeire.storefront.tests.test_checkout_pages import (
    ADDRESS,
    alert,
    choose_address,
    totals,
    words,
)
from lumeire.storefront.tests.test_pages import (
    EVENT_HANDLER,
    INLINE_SCRIPT,
    STYLE_ATTRIBUTE,
    STYLE_ELEMENT,
)

pytestmark = pytest.mark.django_db

_keys = itertools.count(1)


@pytest.fixture
def goods(db):
    category = make_category("study", name_en="Study", name_ar="المكتب")
    make_product(
        category=category,
        slug="brass-lamp",
        name_en="Brass lamp",
        name_ar="مصباح نحاسي",
        variants=[{"sku": "LAMP", "price": "80.00", "stock": 5, "options": {"finish": "brass"}}],
    )
    make_product(
        category=category,
        slug="ink-set",
        name_en="Ink set",
        name_ar="طقم حبر",
        variants=[{"sku": "INK", "price": "40.00", "stock": 9}],
    )


@pytest.fixture
def customer(goods):
    return make_customer(username="noura", email="noura@example.com")


@pytest.fixture
def client_of(customer) -> Client:
    return signed_in_client("noura")


def place_order(customer: User, *, sku: str = "LAMP", quantity: int = 1, card: bool = False):
    """An order placed through the checkout service, as the checkout pages place it."""
    cart = customer_cart(customer)
    cart_add(cart=cart, sku=sku, quantity=quantity)
    token = (
        card_tokenise(number="4242424242424242", exp_month=12, exp_year=2030, cvc="123").token
        if card
        else ""
    )
    return order_place(
        customer=customer,
        cart=cart,
        address=parse_address(ADDRESS),
        shipping_method="standard",
        payment=parse_payment("card" if card else "cod", token),
        idempotency_key=f"order-page-test-{next(_keys)}",
        save_address=False,
    ).order


def staff_who_can_change_orders() -> User:
    """A warehouse account that may move orders along (the back office opens real ones)."""
    staff = User(kind=AccountKind.STAFF, username="warehouse", email="warehouse@example.com")
    staff.set_unusable_password()
    staff.save()
    # Moves are the roles' (lumeire.staff.access): fulfilment packs, ships and delivers.
    staff.groups.add(Group.objects.get(name="Fulfilment"))
    return User.objects.get(pk=staff.pk)  # a fresh object: roles are cached per object


def order_urls(number: str) -> list[str]:
    return [
        f"/en/account/orders/{number}/",
        f"/en/account/orders/{number}/invoice/",
        f"/en/account/orders/{number}/invoice.pdf",
        f"/en/account/orders/{number}/credit-note/",
        f"/en/orders/{number}/placed/",
        f"/en/account/orders/{number}/cancel/",
    ]


# --- The list -------------------------------------------------------------------------------


def test_my_orders_lists_number_date_status_and_total_newest_first(client_of, customer):
    older = place_order(customer)
    newer = place_order(customer, sku="INK", quantity=2)

    html = client_of.get("/en/account/orders/").content.decode()
    rows = [
        [words(cell.text) for cell in row.children if cell.tag in ("th", "td")]
        for row in parse(html).find_all("tbody")[0].find_all("tr")
    ]

    assert [row[0] for row in rows] == [newer.number, older.number]
    assert [row[2:] for row in rows] == [
        ["Pending payment", "117.00\u00a0SAR"],  # 80.00 + 12.00 VAT + 25.00 delivery
        ["Pending payment", "117.00\u00a0SAR"],
    ]
    links = [a.attrs["href"] for a in parse(html).find_all("a")]
    assert f"/en/account/orders/{newer.number}/" in links
    assert not any("before=" in link for link in links)


def test_my_orders_pages_on_with_before(client_of, customer, monkeypatch):
    monkeypatch.setattr("lumeire.orders.selectors.ORDERS_PAGE_SIZE", 2)
    monkeypatch.setattr("lumeire.storefront.views_orders.ORDERS_PAGE_SIZE", 2)
    first, second, third = (place_order(customer, sku="INK") for _ in range(3))

    page_one = client_of.get("/en/account/orders/").content.decode()
    next_link = [a for a in parse(page_one).find_all("a") if a.attrs.get("rel") == "next"]
    page_two = client_of.get(next_link[0].attrs["href"]).content.decode()

    assert next_link[0].attrs["href"] == f"/en/account/orders/?before={second.number}"
    assert [r.attrs["data-order"] for r in parse(page_one).find_all("tr")[1:]] == [
        third.number,
        second.number,
    ]
    assert [r.attrs["data-order"] for r in parse(page_two).find_all("tr")[1:]] == [first.number]
    assert client_of.get("/en/account/orders/?before=LUM-0000-0000").status_code == 404


def test_a_customer_without_orders_is_invited_to_shop(client_of):
    html = client_of.get("/en/account/orders/").content.decode()

    assert "You have not ordered anything yet." in html
    assert "<table" not in html


def test_the_account_page_links_to_my_orders(client_of):
    html = client_of.get("/en/account/").content.decode()

    assert 'href="/en/account/orders/"' in html


def test_order_pages_need_a_signed_in_customer_and_are_never_stored(client_of, customer):
    order = place_order(customer)

    for url in ["/en/account/orders/", *order_urls(order.number)]:
        assert Client().get(url)["Location"].startswith("/en/account/sign-in/?next="), url
        assert "no-store" in client_of.get(url)["Cache-Control"], url


# --- One order ------------------------------------------------------------------------------


def test_the_order_page_shows_lines_totals_payment_address_and_timeline(client_of, customer):
    order = place_order(customer, quantity=2)

    html = client_of.get(f"/en/account/orders/{order.number}/").content.decode()
    page = parse(html)

    rows = [words(tr.text) for tr in page.find_all("tbody")[0].find_all("tr")]
    assert rows == ["Brass lamp Finish: brass 2 184.00\u00a0SAR"]
    assert totals(html) == [
        ("Subtotal", "184.00\u00a0SAR"),
        ("Delivery", "25.00\u00a0SAR"),
        ("Total", "209.00\u00a0SAR"),
        ("VAT included", "27.26\u00a0SAR"),
    ]
    address = with_class(page, "address", "checkout-address")[0]
    assert [bdi.text for bdi in address.find_all("bdi")] == [
        "Noura Al-Qahtani",
        "7421 King Fahd Road",
        "Al Olaya, Riyadh 12211",
        "Saudi Arabia",
        "+966501234567",
    ]
    assert "Cash on delivery" in html and "Due on delivery" in html
    events = [words(li.text) for li in with_class(page, "li", "timeline__event")]
    assert len(events) == 1 and events[0].endswith("Pending payment by you")
    assert f'href="/en/account/orders/{order.number}/invoice.pdf"' in html
    assert "data-tracking" not in html


def test_a_card_order_shows_the_brand_and_last_four_digits_only(client_of, customer):
    order = place_order(customer, card=True)

    html = client_of.get(f"/en/account/orders/{order.number}/").content.decode()

    assert words(with_class(parse(html), "span", "order-status")[0].text) == "Paid"
    card = [words(s.text) for s in parse(html).find_all("span") if "data-card" in s.attrs]
    assert card == ["Visa ending 4242"]
    assert order.card_token not in html


def test_a_shipped_order_shows_its_tracking_number_and_the_store_in_the_timeline(
    client_of, customer
):
    order = place_order(customer, card=True)
    staff = staff_who_can_change_orders()
    order_transition(actor=staff, order=order, to="packed")
    order_transition(actor=staff, order=order, to="shipped", tracking_number="SMSA-99887766")

    page = parse(client_of.get(f"/en/account/orders/{order.number}/").content.decode())

    tracking = [s.text for s in page.find_all("span") if "data-tracking" in s.attrs]
    assert tracking == ["SMSA-99887766"]
    events = [
        words(li.find_all("span")[0].text + " " + li.find_all("span")[1].text)
        for li in with_class(page, "li", "timeline__event")
    ]
    assert events == ["Paid by you", "Packed by the store", "Shipped by the store"]
    assert with_class(page, "section", "panel")[-1].find_all("form") == []  # no cancel button


def test_another_customers_order_is_the_same_404_as_an_unknown_number(client_of, goods):
    stranger = make_customer(username="stranger")
    theirs = place_order(stranger)

    for url in order_urls(theirs.number):
        other = client_of.get(url)
        unknown = client_of.get(url.replace(theirs.number, "LUM-0000-0000"))
        assert other.status_code == unknown.status_code == 404, url
        # The page names its own address (language links); otherwise the two are the same.
        seen = without_csrf(other.content.decode()).replace(theirs.number, "LUM-0000-0000")
        assert seen == without_csrf(unknown.content.decode()), url
    cancel = client_of.post(f"/en/account/orders/{theirs.number}/cancel/", {"confirm": "yes"})
    assert cancel.status_code == 404
    assert Order.objects.get(pk=theirs.pk).status == "pending_payment"


def test_order_numbers_are_marked_so_they_never_break_at_a_hyphen(client_of, customer):
    order = place_order(customer)

    listed = parse(client_of.get("/en/account/orders/").content.decode())
    shown = parse(client_of.get(f"/en/account/orders/{order.number}/").content.decode())
    asked = parse(client_of.get(f"/en/account/orders/{order.number}/cancel/").content.decode())

    # .order-number is white-space: nowrap in the style sheet.
    assert [e.text for e in with_class(listed, "a", "order-number")] == [order.number]
    assert [e.text for e in with_class(shown, "span", "order-number")] == [order.number]
    assert [e.text for e in with_class(asked, "span", "order-number")] == [order.number]
    css = (settings.BASE_DIR / "lumeire/storefront/static/storefront/site.css").read_text()
    rule = re.search(r"\n\.order-number \{([^}]*)\}", css).group(1)
    assert "white-space: nowrap;" in rule


@pytest.mark.parametrize(
    ("language", "country"),
    [("en", "Saudi Arabia"), ("ar", "المملكة العربية السعودية")],
)
def test_the_order_page_names_the_country(client_of, customer, language, country):
    order = place_order(customer)

    html = client_of.get(f"/{language}/account/orders/{order.number}/").content.decode()

    address = parse(html).find_all("address")[0]
    lines = [words(bdi.text) for bdi in address.find_all("bdi")]
    assert country in lines
    assert "SA" not in lines


# --- Cancelling -----------------------------------------------------------------------------


def test_a_customer_cancels_before_packing_and_the_stock_comes_back(client_of, customer):
    order = place_order(customer, quantity=2)
    page = client_of.get(f"/en/account/orders/{order.number}/").content.decode()

    cancelled = client_of.post(f"/en/account/orders/{order.number}/cancel/", {"confirm": "yes"})
    after = client_of.get(cancelled["Location"]).content.decode()

    assert f'href="/en/account/orders/{order.number}/cancel/"' in page
    assert cancelled["Location"] == f"/en/account/orders/{order.number}/"
    order.refresh_from_db()
    assert (order.status, order.payment_status) == ("cancelled", "voided")
    assert Variant.objects.get(sku="LAMP").stock == 5
    assert "Your order is cancelled." in after
    assert f"/en/account/orders/{order.number}/cancel/" not in after
    last = OrderEvent.objects.filter(order=order).order_by("at", "id").last()
    assert (last.to_status, last.actor_kind, last.actor_id) == (
        "cancelled",
        "customer",
        customer.pk,
    )


def cancel_form(html: str):
    """The confirmation page's form: where it posts, and its fields."""
    (form,) = [form for form in forms_of(html) if "/cancel/" in form.attrs.get("action", "")]
    fields = {
        field.attrs["name"]: field.attrs.get("value", "")
        for field in form.find_all("input")
        if field.attrs.get("name") != "csrfmiddlewaretoken"
    }
    return form.attrs["action"], fields


def test_cancelling_asks_first_and_says_what_happens(client_of, customer):
    order = place_order(customer, card=True)

    response = client_of.get(f"/en/account/orders/{order.number}/cancel/")

    assert response.status_code == 200
    html = response.content.decode()
    document = parse(html)
    assert words(document.find_all("h1")[0].text) == f"Cancel order {order.number}?"
    said = words(with_class(document, "ul", "cancel-effects")[0].text)
    assert "The items go back on the shelf" in said
    assert "Your card payment is refunded in full" in said
    assert cancel_form(html) == (
        f"/en/account/orders/{order.number}/cancel/",
        {"confirm": "yes"},
    )
    assert f'href="/en/account/orders/{order.number}/"' in html  # keep the order
    assert '<meta name="robots" content="noindex, nofollow">' in html
    order.refresh_from_db()
    assert order.status != "cancelled"


def test_the_cancel_confirmation_in_arabic(client_of, customer):
    order = place_order(customer)

    response = client_of.get(f"/ar/account/orders/{order.number}/cancel/")

    document = parse(response.content.decode())
    assert words(document.find_all("h1")[0].text) == f"إلغاء الطلب {order.number}؟"
    said = words(with_class(document, "ul", "cancel-effects")[0].text)
    assert "تعود المنتجات إلى الرف" in said
    assert "لم يُؤخذ منك أي مبلغ" in said
    assert "Cancel" not in response.content.decode()


def test_a_post_without_confirmation_cancels_nothing(client_of, customer):
    order = place_order(customer)

    response = client_of.post(f"/en/account/orders/{order.number}/cancel/")
    declined = client_of.post(f"/en/account/orders/{order.number}/cancel/", {"confirm": "no"})

    assert response.status_code == declined.status_code == 200
    assert words(parse(response.content.decode()).find_all("h1")[0].text) == (
        f"Cancel order {order.number}?"
    )
    order.refresh_from_db()
    assert order.status == "pending_payment"
    assert Variant.objects.get(sku="LAMP").stock == 4
    assert OrderEvent.objects.filter(order=order, to_status="cancelled").count() == 0


def test_the_confirmation_of_an_order_past_cancelling_leads_back_to_it(client_of, customer):
    order = place_order(customer)
    order_transition(actor=staff_who_can_change_orders(), order=order, to="packed")

    response = client_of.get(f"/en/account/orders/{order.number}/cancel/")

    assert response.status_code == 302
    assert response["Location"] == f"/en/account/orders/{order.number}/"


def test_cancelling_a_card_order_refunds_it(client_of, customer):
    order = place_order(customer, card=True)

    cancelled = client_of.post(f"/en/account/orders/{order.number}/cancel/", {"confirm": "yes"})

    order.refresh_from_db()
    assert (order.status, order.payment_status) == ("cancelled", "refunded")
    assert (
        "Your order is cancelled and your card payment is refunded."
        in client_of.get(cancelled["Location"]).content.decode()
    )


def test_cancelling_after_packing_is_refused_and_changes_nothing(client_of, customer):
    order = place_order(customer)
    order_transition(actor=staff_who_can_change_orders(), order=order, to="packed")

    page = client_of.get(f"/en/account/orders/{order.number}/").content.decode()
    refused = client_of.post(f"/en/account/orders/{order.number}/cancel/", {"confirm": "yes"})

    assert "/cancel/" not in page
    assert refused.status_code == 400
    assert alert(refused) == [
        "An order that is packed cannot become cancelled.",
        "Your order has not changed.",
    ]
    order.refresh_from_db()
    assert order.status == "packed"
    assert Variant.objects.get(sku="LAMP").stock == 4
    assert OrderEvent.objects.filter(order=order, to_status="cancelled").count() == 0


def test_cancelling_needs_the_csrf_token(customer):
    order = place_order(customer)
    signed = signed_in_client("noura")
    signed.handler.enforce_csrf_checks = True

    refused = signed.post(f"/en/account/orders/{order.number}/cancel/", {"confirm": "yes"})

    assert refused.status_code == 403
    assert Order.objects.get(pk=order.pk).status == "pending_payment"


# --- The invoice ----------------------------------------------------------------------------


def test_the_invoice_page_shows_the_invoice_number_totals_and_qr_code(client_of, customer):
    order = place_order(customer)

    response = client_of.get(f"/en/account/orders/{order.number}/invoice/")
    html = response.content.decode()

    assert response.status_code == 200
    assert re.fullmatch(r"INV-\d{4}-\d{6}", order.invoice_number)
    assert order.invoice_number in html
    assert order.number in html
    total = [
        words(dd.text) for dd in parse(html).find_all("dd") if "data-invoice-total" in dd.attrs
    ]
    assert total and total[0].startswith("117.00")
    assert 'src="data:image/png;base64,' in html


def test_the_invoice_pdf_downloads_named_after_the_invoice(client_of, customer):
    order = place_order(customer)

    response = client_of.get(f"/en/account/orders/{order.number}/invoice.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (f'attachment; filename="{order.invoice_number}.pdf"')
    assert response.content.startswith(b"%PDF")


# --- Arabic ---------------------------------------------------------------------------------


def test_order_pages_in_arabic_read_right_to_left(client_of, customer):
    order = place_order(customer)

    for url in ("/ar/account/orders/", f"/ar/account/orders/{order.number}/"):
        response = client_of.get(url)
        html = response.content.decode()
        assert response.status_code == 200, url
        assert parse(html).find_all("html")[0].attrs["dir"] == "rtl", url
    detail = client_of.get(f"/ar/account/orders/{order.number}/").content.decode()
    assert "طلباتي" in detail
    assert "مصباح نحاسي" in detail
    invoice = client_of.get(f"/ar/account/orders/{order.number}/invoice/").content.decode()
    assert 'lang="ar" dir="rtl"' in invoice
    assert client_of.get(f"/ar/account/orders/{order.number}/invoice.pdf").content.startswith(
        b"%PDF"
    )


# --- Every page -----------------------------------------------------------------------------


def test_checkout_and_order_pages_post_every_form_with_csrf_and_keep_the_strict_csp(
    client_of, customer
):
    order = place_order(customer, card=True)
    client_of.post("/en/p/brass-lamp/", {"sku": "LAMP", "quantity": 1})
    choose_address(client_of)
    client_of.post("/en/checkout/delivery/", {"shipping_method": "standard"})
    urls = [
        "/en/cart/",
        "/en/checkout/address/",
        "/en/checkout/delivery/",
        "/en/checkout/review/",
        "/en/checkout/payment/",
        "/en/account/orders/",
        *order_urls(order.number)[:2],
        f"/en/orders/{order.number}/placed/",
    ]

    for url in urls:
        response = client_of.get(url)
        html = response.content.decode()
        assert response.status_code == 200, url
        for form in [f for f in forms_of(html) if f.attrs.get("class") != "site-search"]:
            assert form.attrs.get("method") == "post", (url, form.attrs)
            names = [field.attrs.get("name") for field in form.find_all("input")]
            assert "csrfmiddlewaretoken" in names, url
        assert not INLINE_SCRIPT.search(html), url
        assert not STYLE_ATTRIBUTE.search(html), url
        assert not STYLE_ELEMENT.search(html), url
        assert not EVENT_HANDLER.search(html), url
