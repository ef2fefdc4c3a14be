"""My account: what it shows, how each change is guarded, and the rules every form keeps."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from freezegun import freeze_time

from lumeire.accounts.models import AccountKind, ApiToken, User
from lumeire.accounts.services.signin import api_token_issue
from lumeire.accounts.tests.factories import ANSWER, PASSWORD, identity_number, make_customer
from lumeire.accounts.tests.web_sign_in import (
    CONFIRM_LINK,
    IDENTITY_LINK,
    field_errors,
    forms_of,
    link_in_mail,
    sign_in,
    signed_in_client,
    without_csrf,
)
from lumeire.audit.models import AuditEntry
from lumeire.storefront.tests.test_pages import (
    EVENT_HANDLER,
    INLINE_SCRIPT,
    STYLE_ATTRIBUTE,
    STYLE_ELEMENT,
)

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a brand new passphrase for autumn"
CONFIRM = "/en/account/confirm-password/"


@pytest.fixture
def customer():
    return make_customer(
        username="Maha",
        email="maha@example.com",
        full_name="Maha Al-Shehri",
        identity_number="1058529940",
        date_of_birth=date(1990, 5, 17),
    )


@pytest.fixture
def browser(customer):
    return signed_in_client("maha")


def reload(user: User) -> User:
    return User.objects.select_related("customer").get(pk=user.pk)


@freeze_time("2026-11-25 12:00:00")
def test_my_account_shows_what_is_kept_masked_where_it_must_be(customer):
    html = signed_in_client("maha").get("/en/account/").content.decode()

    for shown in ("Maha Al-Shehri", "36 years", "maha@example.com", "Maha", "1******940"):
        assert shown in html, shown
    assert "What was the name of your first school?" in html
    assert "1058529940" not in html
    assert ANSWER.strip() not in html and "argon2" not in html
    assert "We will never ask for your password by email or phone" in html


def test_account_pages_need_a_signed_in_customer(customer):
    anonymous = Client()
    for url in ("/en/account/", "/en/account/email/", "/en/account/two-factor/"):
        assert anonymous.get(url)["Location"] == f"/en/account/sign-in/?next={url}"

    staff = User(kind=AccountKind.STAFF, username="staffer", email="staffer@example.com")
    staff.set_password(PASSWORD)
    staff.save()
    staff_at_the_shop = Client()
    assert sign_in(staff_at_the_shop, "staffer").status_code == 400  # the form, with an error
    assert "_auth_user_id" not in staff_at_the_shop.session
    # Even with a session of its own, a staff account sees no customer pages.
    staff_browser = Client()
    staff_browser.force_login(staff, backend="lumeire.accounts.backends.LoginBackend")
    assert staff_browser.get("/en/account/").status_code == 404


def test_an_old_sign_in_must_type_the_password_again_and_a_stale_post_changes_nothing(customer):
    client = signed_in_client("maha", remember_me="on")
    mail.outbox.clear()

    with freeze_time(timezone.now() + timedelta(minutes=31)):
        stale = client.post(
            "/en/account/email/", {"new_email": "other@example.com", "current_password": PASSWORD}
        )
        assert (stale.status_code, stale["Location"]) == (
            302,
            f"{CONFIRM}?next=%2Fen%2Faccount%2Femail%2F",
        )
        assert mail.outbox == []

        wrong = client.post(CONFIRM, {"password": "not my password", "next": "/en/account/email/"})
        assert wrong.status_code == 400
        assert "That password is not right." in wrong.content.decode()

        right = client.post(CONFIRM, {"password": PASSWORD, "next": "/en/account/email/"})
        assert (right.status_code, right["Location"]) == (302, "/en/account/email/")
        assert client.get("/en/account/email/").status_code == 200
    assert reload(customer).email == "maha@example.com"


def test_wrong_passwords_on_the_confirmation_page_lock_like_sign_in(customer):
    client = signed_in_client("maha", remember_me="on")
    with freeze_time(timezone.now() + timedelta(minutes=31)):
        statuses = [client.post(CONFIRM, {"password": "wrong guess"}).status_code for _ in range(5)]
        locked = client.post(CONFIRM, {"password": PASSWORD})

    assert statuses[:4] == [400] * 4
    assert locked.status_code == 429
    assert "Too many wrong passwords." in locked.content.decode()


def test_changing_the_email_sends_a_link_to_the_new_address_and_a_notice_to_the_old(
    browser, customer
):
    mail.outbox.clear()

    response = browser.post(
        "/en/account/email/", {"new_email": "maha.new@example.com", "current_password": PASSWORD}
    )

    assert (response.status_code, response["Location"]) == (302, "/en/account/")
    assert sorted(m.to[0] for m in mail.outbox) == ["maha.new@example.com", "maha@example.com"]
    assert reload(customer).email == "maha@example.com", "nothing changes before the link"
    link = link_in_mail(CONFIRM_LINK, to="maha.new@example.com")
    browser.get(link)
    assert browser.post("/en/account/email/confirm/").status_code == 200
    assert reload(customer).email == "maha.new@example.com"
    assert sign_in(Client(), "maha.new@example.com").status_code == 302
    assert sign_in(Client(), "maha@example.com").status_code == 400


def test_changing_the_email_needs_the_current_password(browser, customer):
    mail.outbox.clear()
    response = browser.post(
        "/en/account/email/", {"new_email": "x@example.com", "current_password": "wrong one"}
    )

    assert response.status_code == 400
    assert field_errors(response.content.decode(), "current_password") == [
        "Your current password is not right."
    ]
    assert mail.outbox == []


def test_changing_the_password_ends_other_sessions_but_keeps_this_one(customer):
    here = signed_in_client("maha")
    elsewhere = signed_in_client("maha")
    mail.outbox.clear()

    response = here.post(
        "/en/account/password/",
        {
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "new_password_confirmation": NEW_PASSWORD,
        },
    )

    assert (response.status_code, response["Location"]) == (302, "/en/account/")
    assert here.get("/en/account/").status_code == 200
    assert elsewhere.get("/en/account/")["Location"].startswith("/en/account/sign-in/")
    assert reload(customer).check_password(NEW_PASSWORD)
    assert [m.subject for m in mail.outbox] == ["Your Lumeire password was changed"]
    assert NEW_PASSWORD not in mail.outbox[0].body and PASSWORD not in mail.outbox[0].body


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"current_password": "wrong", "new_password": NEW_PASSWORD},
            "current_password",
            "Your current password is not right.",
        ),
        (
            {"current_password": PASSWORD, "new_password": "short"},
            "new_password",
            "This password is too short. Use at least 15 characters.",
        ),
        (
            {
                "current_password": PASSWORD,
                "new_password": NEW_PASSWORD,
                "new_password_confirmation": NEW_PASSWORD + "!",
            },
            "new_password_confirmation",
            "The two passwords are not the same.",
        ),
    ],
)
def test_a_refused_password_change_says_why_and_changes_nothing(
    browser, customer, fields, field, message
):
    data = {"new_password_confirmation": fields["new_password"], **fields}

    response = browser.post("/en/account/password/", data)

    assert response.status_code == 400
    assert field_errors(response.content.decode(), field) == [message]
    assert reload(customer).check_password(PASSWORD)


@freeze_time("2026-11-25 12:00:00")
def test_name_and_date_of_birth_can_be_corrected(browser, customer):
    form = browser.get("/en/account/profile/").content.decode()
    assert 'value="Maha Al-Shehri"' in form and 'value="1990-05-17"' in form

    saved = browser.post(
        "/en/account/profile/", {"full_name": "Maha  Al-Shehri Ali", "date_of_birth": "1991-02-03"}
    )
    refused = browser.post(
        "/en/account/profile/", {"full_name": "Maha", "date_of_birth": "2026-12-01"}
    )

    assert saved.status_code == 302
    assert refused.status_code == 400
    assert field_errors(refused.content.decode(), "date_of_birth") == [
        "A date of birth cannot be in the future."
    ]
    customer_row = reload(customer).customer
    assert customer_row.full_name == "Maha Al-Shehri Ali"
    assert customer_row.date_of_birth == date(1991, 2, 3)


def test_the_recovery_question_changes_with_the_current_password_and_a_notice(browser, customer):
    old_hash = reload(customer).customer.recovery_answer_hash
    mail.outbox.clear()

    refused = browser.post(
        "/en/account/recovery-question/",
        {"recovery_question": "first_pet", "recovery_answer": "Zaytouna", "current_password": "no"},
    )
    changed = browser.post(
        "/en/account/recovery-question/",
        {
            "recovery_question": "first_pet",
            "recovery_answer": "Zaytouna",
            "current_password": PASSWORD,
        },
    )

    assert refused.status_code == 400
    assert changed.status_code == 302
    row = reload(customer).customer
    assert row.recovery_question == "first_pet"
    assert row.recovery_answer_hash != old_hash and row.recovery_answer_hash.startswith("argon2$")
    assert [m.subject for m in mail.outbox] == ["Your Lumeire recovery question was changed"]
    assert "Zaytouna" not in mail.outbox[0].body


def test_the_identity_number_changes_from_the_emailed_link_and_a_taken_one_looks_the_same(
    browser, customer
):
    other = make_customer(email="holder@example.com")
    old_number = customer.customer.identity_number
    mail.outbox.clear()
    taken = browser.post(
        "/en/account/identity-number/",
        {"identity_number": other.customer.identity_number, "current_password": PASSWORD},
    )
    taken_page = browser.get(taken["Location"])
    new_number = identity_number(4242)
    requested = browser.post(
        "/en/account/identity-number/",
        {"identity_number": new_number, "current_password": PASSWORD},
    )
    requested_page = browser.get(requested["Location"])

    assert (taken.status_code, taken["Location"]) == (requested.status_code, requested["Location"])
    assert without_csrf(taken_page.content.decode()) == without_csrf(
        requested_page.content.decode()
    )
    assert reload(customer).customer.identity_number == old_number, "nothing before the link"
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [customer.email, customer.email, "holder@example.com"]
    )
    assert AuditEntry.objects.filter(
        action="details_change_conflict", subject_id=other.pk, fields=["identity_number"]
    ).exists()

    opened = browser.get(link_in_mail(IDENTITY_LINK, to=customer.email))
    assert (opened.status_code, opened["Location"]) == (302, "/en/account/identity-number/confirm/")
    assert browser.post(opened["Location"]).status_code == 200
    assert reload(customer).customer.identity_number == new_number
    page = browser.get("/en/account/").content.decode()
    assert f"{new_number[0]}******{new_number[-3:]}" in page
    assert new_number not in page


def test_api_tokens_are_listed_and_can_be_revoked_but_not_another_customers(browser, customer):
    mine = api_token_issue(user=customer)
    theirs = api_token_issue(user=make_customer())

    listed = browser.get("/en/account/").content.decode()
    assert str(mine.token.pk) in listed and str(theirs.token.pk) not in listed
    assert mine.raw not in listed

    browser.post("/en/account/tokens/revoke/", {"token_id": str(theirs.token.pk)})
    browser.post("/en/account/tokens/revoke/", {"token_id": str(mine.token.pk)})

    assert ApiToken.objects.get(pk=mine.token.pk).revoked_at is not None
    assert ApiToken.objects.get(pk=theirs.token.pk).revoked_at is None
    assert str(mine.token.pk) not in browser.get("/en/account/").content.decode()


ACCOUNT_PAGES = [
    "/en/account/",
    "/en/account/profile/",
    "/en/account/email/",
    "/en/account/password/",
    "/en/account/recovery-question/",
    "/en/account/identity-number/",
    "/en/account/username/",
    "/en/account/language/",
    "/en/account/addresses/",
    "/en/account/two-factor/",
]
VISITOR_PAGES = [
    "/en/account/sign-up/",
    "/en/account/sign-in/",
    "/en/account/forgot/",
    "/ar/account/sign-up/",
]


def test_every_form_uses_post_with_a_csrf_token_and_pages_keep_the_strict_csp(browser):
    pages = [(browser, url) for url in ACCOUNT_PAGES]
    pages += [(Client(), url) for url in VISITOR_PAGES]
    enrol = browser.post("/en/account/two-factor/enrol/")
    rendered = [enrol.content.decode()]
    for client, url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        rendered.append(response.content.decode())

    for html in rendered:
        # The header's search box is the one GET form: it sends only what the shopper typed.
        for form in [f for f in forms_of(html) if f.attrs.get("class") != "site-search"]:
            assert form.attrs.get("method") == "post", form.attrs
            names = [field.attrs.get("name") for field in form.find_all("input")]
            assert "csrfmiddlewaretoken" in names
        assert not INLINE_SCRIPT.search(html)
        assert not STYLE_ATTRIBUTE.search(html)
        assert not STYLE_ELEMENT.search(html)
        assert not EVENT_HANDLER.search(html)


def _patterns(resolver: URLResolver, prefix: str = "") -> list[str]:
    found = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            found += _patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            found.append(prefix + str(entry.pattern))
    return found


def test_no_address_carries_a_personal_value_and_only_emailed_links_carry_a_secret():
    routes = _patterns(get_resolver("lumeire.storefront.urls"))
    converters = {name for route in routes for name in re.findall(r"<(?:\w+:)?(\w+)>", route)}

    # Besides the emailed secrets: policy versions, catalogue slugs, cart line numbers, order
    # numbers, export and saved-address ids (random, and no one's personal value).
    assert converters == {
        "token",
        "version",
        "slug",
        "line_id",
        "number",
        "export_id",
        "address_id",
    }
    assert sorted(route for route in routes if "<" in route) == [
        "account/addresses/<uuid:address_id>/",
        "account/addresses/<uuid:address_id>/remove/",
        "account/delete/confirm/<slug:token>/",
        "account/email/confirm/<slug:token>/",
        "account/identity-number/confirm/<slug:token>/",
        "account/my-data/<uuid:export_id>/download/",
        "account/orders/<str:number>/",
        "account/orders/<str:number>/cancel/",
        "account/orders/<str:number>/credit-note.pdf",
        "account/orders/<str:number>/credit-note/",
        "account/orders/<str:number>/invoice.pdf",
        "account/orders/<str:number>/invoice/",
        "account/recover/<slug:token>/",
        "account/sign-up/open/<slug:token>/",
        "c/<slug:slug>/",
        "cart/lines/<int:line_id>/",
        "cart/lines/<int:line_id>/remove/",
        "orders/<str:number>/guest/",
        "orders/<str:number>/guest/cancel/",
        "orders/<str:number>/guest/credit-note.pdf",
        "orders/<str:number>/guest/credit-note/",
        "orders/<str:number>/guest/invoice.pdf",
        "orders/<str:number>/guest/invoice/",
        # A guest's order: the emailed link, whose view keeps only the secret's hash.
        "orders/<str:number>/link/<slug:token>/",
        "orders/<str:number>/placed/",
        "p/<slug:slug>/",
        "privacy/v<int:version>/",
    ]
