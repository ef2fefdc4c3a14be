"""Correcting my data in My account: the username, the language of emails and the saved
addresses are changed here; the records that are not changed say why on the page showing them."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.utils.html import escape

from lumeire.accounts.models import User
from lumeire.accounts.tests.factories import PASSWORD, make_customer
from lumeire.accounts.tests.web_sign_in import field_errors, sign_in, signed_in_client
from lumeire.checkout.models import Address
from lumeire.exports.corrections import SECTIONS
from lumeire.exports.tests.helpers import place_card_order
from lumeire.vault.keycache import data_key_cache

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer():
    return make_customer(username="maha", email="maha@example.com", full_name="Maha Al-Shehri")


@pytest.fixture
def browser(customer):
    return signed_in_client("maha")


@pytest.fixture
def order(customer):
    """A card order to Tahlia Street; checkout also saved that address."""
    return place_card_order(customer, shipping_name="Maha Al-Shehri", street="Tahlia Street")


def _address_form(**changes: str) -> dict[str, str]:
    typed = {
        "full_name": "Maha Al-Shehri",
        "phone": "0501234567",
        "city": "Jeddah",
        "district": "Al Rawdah",
        "street": "Tahlia Street",
        "building": "4127",
        "postal_code": "12211",
        "country": "SA",
    }
    return {**typed, **changes}


def _fresh_address(customer: User) -> Address:
    data_key_cache.clear()
    return Address.objects.get(customer=customer)


def test_the_username_changes_with_the_password_and_signs_in_under_the_new_name(browser, customer):
    make_customer(username="taken")
    mail.outbox.clear()

    assert 'name="username"' in browser.get("/en/account/username/").content.decode()
    wrong = browser.post("/en/account/username/", {"username": "maha2", "current_password": "no"})
    taken = browser.post(
        "/en/account/username/", {"username": "TAKEN", "current_password": PASSWORD}
    )
    changed = browser.post(
        "/en/account/username/", {"username": "maha.s", "current_password": PASSWORD}
    )

    assert wrong.status_code == taken.status_code == 400
    assert field_errors(wrong.content.decode(), "current_password") == [
        "Your current password is not right."
    ]
    assert field_errors(taken.content.decode(), "username") == [
        "This username is taken. Choose another one."
    ]
    assert (changed.status_code, changed["Location"]) == (302, "/en/account/")
    assert "maha.s" in browser.get("/en/account/").content.decode()
    assert sign_in(Client(), "maha.s").status_code == 302
    assert sign_in(Client(), "maha").status_code == 400
    assert sign_in(Client(), "maha@example.com").status_code == 302
    assert [m.subject for m in mail.outbox] == ["Your Lumeire username was changed"]


def test_the_language_of_emails_is_chosen_in_my_account(browser, customer):
    page = browser.get("/en/account/").content.decode()
    assert "Language of emails" in page and "English" in page

    refused = browser.post("/en/account/language/", {"language": "fr"})
    chosen = browser.post("/en/account/language/", {"language": "ar"})

    assert refused.status_code == 400
    assert (chosen.status_code, chosen["Location"]) == (302, "/en/account/")
    assert User.objects.get(pk=customer.pk).language == "ar"
    assert "Arabic" in browser.get("/en/account/").content.decode()


def test_a_saved_address_is_corrected_and_the_order_keeps_its_own_copy(browser, customer, order):
    address = Address.objects.get(customer=customer)
    listed = browser.get("/en/account/addresses/").content.decode()
    assert "Tahlia Street" in listed
    assert f"/en/account/addresses/{address.pk}/" in listed
    form = browser.get(f"/en/account/addresses/{address.pk}/").content.decode()
    assert 'value="Tahlia Street"' in form and 'value="12211"' in form

    refused = browser.post(
        f"/en/account/addresses/{address.pk}/", _address_form(street="Olaya", postal_code="12")
    )
    saved = browser.post(
        f"/en/account/addresses/{address.pk}/", _address_form(street="King Abdulaziz Road")
    )

    assert refused.status_code == 400
    assert field_errors(refused.content.decode(), "postal_code") == [
        "Enter the 5-digit postal code."
    ]
    assert (saved.status_code, saved["Location"]) == (302, "/en/account/addresses/")
    assert str(_fresh_address(customer).street) == "King Abdulaziz Road"
    order.refresh_from_db()
    assert str(order.street) == "Tahlia Street"
    assert "King Abdulaziz Road" in browser.get("/en/account/addresses/").content.decode()


@pytest.mark.parametrize(
    ("language", "country"),
    [("en", "Saudi Arabia"), ("ar", "المملكة العربية السعودية")],
)
def test_the_address_book_names_the_country(browser, order, language, country):
    listed = browser.get(f"/{language}/account/addresses/").content.decode()

    assert country in listed
    assert ">SA<" not in listed and "SA<br>" not in listed


def test_a_saved_address_is_removed_and_the_order_keeps_its_own_copy(browser, customer, order):
    address = Address.objects.get(customer=customer)

    assert browser.get(f"/en/account/addresses/{address.pk}/remove/").status_code == 405
    removed = browser.post(f"/en/account/addresses/{address.pk}/remove/")

    assert (removed.status_code, removed["Location"]) == (302, "/en/account/addresses/")
    assert not Address.objects.filter(pk=address.pk).exists()
    order.refresh_from_db()
    assert str(order.street) == "Tahlia Street"
    assert "You have no saved addresses." in browser.get("/en/account/addresses/").content.decode()


def test_another_customers_address_gives_the_same_404_as_none(customer, order):
    address = Address.objects.get(customer=customer)
    make_customer(username="stranger")
    stranger = signed_in_client("stranger")

    assert "Tahlia" not in stranger.get("/en/account/addresses/").content.decode()
    assert stranger.get(f"/en/account/addresses/{address.pk}/").status_code == 404
    changed = stranger.post(
        f"/en/account/addresses/{address.pk}/", _address_form(street="Somewhere Else")
    )
    removed = stranger.post(f"/en/account/addresses/{address.pk}/remove/")

    assert changed.status_code == removed.status_code == 404
    assert str(_fresh_address(customer).street) == "Tahlia Street"
    assert Client().get("/en/account/addresses/")["Location"].startswith("/en/account/sign-in/")


@pytest.mark.parametrize(
    ("section", "path"),
    [
        ("orders", "/en/account/orders/"),
        ("payment_attempts", "/en/account/orders/"),
        ("access_log", "/en/account/access-log/"),
        ("consents", "/en/privacy/cookies/"),
        ("privacy_requests", "/en/account/delete/"),
        ("sign_in_history", "/en/account/"),
        ("policy_acceptances", "/en/account/"),
    ],
)
def test_a_page_showing_records_says_why_they_are_not_changed(browser, section, path):
    html = browser.get(path).content.decode()

    assert f'data-correction="{section}"' in html
    assert escape(str(SECTIONS[section].note)) in html


def test_the_download_page_says_how_to_correct_each_part_of_the_export(browser, customer, order):
    html = browser.get("/en/account/my-data/").content.decode()

    assert "If something in your data is wrong" in html
    for key in SECTIONS:
        assert f'data-correction="{key}"' in html, key
    assert 'href="/en/account/addresses/"' in html
    assert escape(str(SECTIONS["orders"].note)) in html
    order_page = browser.get(f"/en/account/orders/{order.number}/").content.decode()
    assert escape(str(SECTIONS["orders"].note)) in order_page


def test_the_correction_pages_read_in_arabic(customer, order):
    client = Client()
    assert sign_in(client, "maha", language="ar").status_code == 302
    address = Address.objects.get(customer=customer)

    listed = client.get("/ar/account/addresses/").content.decode()
    account = client.get("/ar/account/").content.decode()
    orders = client.get("/ar/account/orders/").content.decode()

    assert "عناويني المحفوظة" in listed and f"/ar/account/addresses/{address.pk}/" in listed
    assert "تغيير اسم المستخدم" in account and "لغة رسائل البريد الإلكتروني" in account
    assert "الطلبات وفواتيرها سجلات لعملية بيع" in orders
