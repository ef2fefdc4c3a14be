"""Signing in and out on the web: lockout, session rotation, two-factor, and no-store pages."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from freezegun import freeze_time

from lumeire.accounts.models import SignInEvent
from lumeire.accounts.tests.factories import PASSWORD, make_customer
from lumeire.accounts.tests.web_sign_in import (
    session_cookie,
    sign_in,
    signed_in_client,
)
from lumeire.core.tests.markup import parse

pytestmark = pytest.mark.django_db

WRONG = "not the password at all"


@pytest.fixture
def customer():
    return make_customer(username="Layla", email="layla@example.com")


def is_signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.parametrize("login", ["Layla", "layla", "layla@example.com", "LAYLA@Example.com"])
def test_sign_in_by_username_or_email_goes_to_my_account(client, customer, login):
    response = sign_in(client, login)

    assert (response.status_code, response["Location"]) == (302, "/en/account/")
    assert client.session["_auth_user_id"] == str(customer.pk)
    page = client.get("/en/account/")
    assert page.status_code == 200
    assert "layla@example.com" in page.content.decode()


def test_sign_in_returns_to_the_page_that_asked_for_it_but_never_to_another_site(client, customer):
    asked = client.get("/en/account/")
    assert asked["Location"] == "/en/account/sign-in/?next=/en/account/"
    back = sign_in(client, "layla", next="/en/account/two-factor/")
    away = sign_in(Client(), "layla", next="https://evil.example/steal")

    assert back["Location"] == "/en/account/two-factor/"
    assert away["Location"] == "/en/account/"


def test_a_wrong_password_and_an_unknown_login_get_the_same_message(client, customer):
    wrong = sign_in(client, "layla", WRONG)
    unknown = sign_in(client, "nobody-by-that-name", WRONG)

    assert wrong.status_code == unknown.status_code == 400
    for response in (wrong, unknown):
        assert "The login or the password is not right." in response.content.decode()
    assert not is_signed_in(client)


def test_five_failures_lock_the_account_with_when_to_try_again_then_it_unlocks(customer):
    client = Client()
    with freeze_time(timezone.now()) as clock:
        for _ in range(4):
            assert sign_in(client, "layla", WRONG).status_code == 400
        fifth = sign_in(client, "layla", WRONG)
        assert fifth.status_code == 429, "the fifth failure locks at once"
        locked = sign_in(client, "layla")  # even the right password is refused now

        assert locked.status_code == 429
        assert "Too many failed sign-ins. Try again in 15 minutes." in locked.content.decode()
        assert not is_signed_in(client)

        clock.tick(timedelta(minutes=15, seconds=1))
        unlocked = sign_in(client, "layla")

    assert unlocked.status_code == 302
    assert is_signed_in(client)


def test_the_lock_message_is_the_same_for_an_account_that_does_not_exist(customer):
    pages = []
    for number, login in enumerate(["layla", "ghost-account"]):
        client = Client(REMOTE_ADDR=f"198.51.100.{number + 1}")
        for _ in range(5):
            sign_in(client, login, WRONG)
        locked = sign_in(client, login, WRONG)
        pages.append((locked.status_code, locked.content.decode()))

    assert pages[0][0] == pages[1][0] == 429
    message = re.compile(r'<div class="form-alert" role="alert">.*?</div>', re.DOTALL)
    assert message.search(pages[0][1])[0] == message.search(pages[1][1])[0]


def test_the_lock_message_comes_in_arabic_on_the_arabic_page(customer):
    client = Client()
    for _ in range(5):
        sign_in(client, "layla", WRONG, language="ar")
    locked = sign_in(client, "layla", language="ar")

    assert locked.status_code == 429
    assert "حاول مرة أخرى بعد 15 دقيقة" in locked.content.decode()


def test_signing_in_gives_a_new_session_id_and_a_new_csrf_token(client, customer):
    session = client.session
    session["before_sign_in"] = True
    session.save()
    client.get("/en/account/sign-in/")
    before = (session_cookie(client), client.cookies[settings.CSRF_COOKIE_NAME].value)

    sign_in(client, "layla")

    after = (session_cookie(client), client.cookies[settings.CSRF_COOKIE_NAME].value)
    assert after[0] != before[0]
    assert after[1] != before[1]


def test_sign_out_ends_the_session_on_the_server_so_a_replayed_cookie_is_worthless(customer):
    client = signed_in_client("layla")
    stolen = session_cookie(client)

    response = client.post("/en/account/sign-out/")

    assert (response.status_code, response["Location"]) == (302, "/en/")
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = stolen
    assert replay.get("/en/account/")["Location"].startswith("/en/account/sign-in/")


def test_sign_out_is_refused_by_get_and_without_a_csrf_token(customer):
    client = signed_in_client("layla")
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = client.cookies

    assert client.get("/en/account/sign-out/").status_code == 405
    assert strict.post("/en/account/sign-out/").status_code == 403
    assert client.get("/en/account/").status_code == 200


def test_remember_me_keeps_the_browser_signed_in_past_the_idle_timeout(customer):
    remembered = signed_in_client("layla", remember_me="on")
    plain = signed_in_client("layla")

    with freeze_time(timezone.now() + timedelta(hours=2)):
        assert plain.get("/en/account/")["Location"].startswith("/en/account/sign-in/")
        # Still signed in, but the account page wants the password again.
        assert remembered.get("/en/account/")["Location"] == (
            "/en/account/confirm-password/?next=%2Fen%2Faccount%2F"
        )


def test_signed_in_pages_are_never_stored_by_browsers_or_proxies(customer):
    client = signed_in_client("layla")

    for url in ("/en/", "/en/privacy/", "/en/account/", "/en/account/password/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url
    assert "no-store" in Client().get("/en/account/sign-in/")["Cache-Control"]


def test_the_menu_offers_sign_in_to_visitors_and_my_account_with_sign_out_to_customers(customer):
    visitor = parse(Client().get("/en/").content.decode()).find_all("nav")[0]
    member = parse(signed_in_client("layla").get("/en/").content.decode()).find_all("nav")[0]

    assert {a.attrs["href"] for a in visitor.find_all("a")} >= {
        "/en/account/sign-in/",
        "/en/account/sign-up/",
    }
    assert "/en/account/" in {a.attrs["href"] for a in member.find_all("a")}
    sign_out = [f for f in member.find_all("form") if f.attrs["action"] == "/en/account/sign-out/"]
    assert sign_out and sign_out[0].attrs["method"] == "post"


def test_sign_in_events_are_recorded_without_the_login(client, customer):
    sign_in(client, "layla", WRONG)
    sign_in(client, "layla")

    events = list(SignInEvent.objects.order_by("at").values_list("outcome", "channel"))
    assert events == [("failure", "web"), ("success", "web")]
    assert not SignInEvent.objects.filter(login_ref__icontains="layla").exists()


def _enrol_two_factor(client: Client) -> tuple[pyotp.TOTP, list[str]]:
    enrol = client.post("/en/account/two-factor/enrol/")
    assert enrol.status_code == 200
    html = enrol.content.decode()
    secret = re.search(r'<code class="secret" dir="ltr">([A-Z2-7 ]+)</code>', html)[1]
    totp = pyotp.TOTP(secret.replace(" ", ""))
    confirmed = client.post("/en/account/two-factor/confirm/", {"code": totp.now()})
    assert confirmed.status_code == 200
    codes = re.findall(
        r"<li><code>([0-9a-f]{8}-[0-9a-f]{8})</code></li>", confirmed.content.decode()
    )
    return totp, codes


def test_two_factor_enrolment_shows_a_qr_code_then_ten_recovery_codes_once(customer):
    client = signed_in_client("layla")

    enrol = client.post("/en/account/two-factor/enrol/")
    html = enrol.content.decode()
    svg = re.search(r"<svg\b[^>]*>", html)[0]
    assert "viewBox" in svg
    assert not re.search(r"<[^>]+\sstyle\s*=", html), "the strict CSP forbids style attributes"
    secret = re.search(r'<code class="secret" dir="ltr">([A-Z2-7 ]+)</code>', html)[1]

    wrong = client.post("/en/account/two-factor/confirm/", {"code": "000000"})
    assert wrong.status_code == 400
    assert "That code is not right." in wrong.content.decode()

    totp = pyotp.TOTP(secret.replace(" ", ""))
    done = client.post("/en/account/two-factor/confirm/", {"code": totp.now()})
    codes = re.findall(r"<li><code>([0-9a-f]{8}-[0-9a-f]{8})</code></li>", done.content.decode())
    assert len(set(codes)) == 10
    status = client.get("/en/account/two-factor/").content.decode()
    assert not any(code in status for code in codes), "recovery codes are shown only once"
    assert "Turn off two-factor sign-in" in status


def test_with_two_factor_on_sign_in_asks_the_code_without_keeping_the_password(customer):
    owner = signed_in_client("layla")
    totp, codes = _enrol_two_factor(owner)

    with freeze_time(timezone.now() + timedelta(seconds=60)):
        browser = Client()
        first = sign_in(browser, "layla")
        assert first.status_code == 200
        assert not is_signed_in(browser)
        assert "Two-factor sign-in is on for this account." in first.content.decode()
        kept = str(dict(browser.session.items()))
        assert PASSWORD not in kept, "the session keeps nothing between the two steps"
        form = parse(first.content.decode()).find_all("form")
        fields = {
            i.attrs["name"]: i.attrs.get("value", "")
            for f in form
            if f.attrs.get("action") == "/en/account/sign-in/"
            for i in f.find_all("input")
        }
        assert fields["login"] == "layla" and "code" in fields

        wrong = sign_in(browser, "layla", code="123456")
        assert wrong.status_code == 400
        assert "That code is not right." in wrong.content.decode()

        right = sign_in(browser, "layla", code=totp.now())
        assert right.status_code == 302
        assert is_signed_in(browser)

    with_recovery_code = sign_in(Client(), "layla", code=codes[0])
    assert with_recovery_code.status_code == 302


def test_the_idle_clock_is_written_at_most_once_a_minute_and_still_ends_the_session(customer):
    start = timezone.now()
    with freeze_time(start) as clock:
        client = signed_in_client("layla")
        key = client.cookies[settings.SESSION_COOKIE_NAME].value

        def session_writes(url: str) -> int:
            with CaptureQueriesContext(connection) as seen:
                assert client.get(url).status_code == 200
            return sum(
                q["sql"].startswith(("UPDATE", "INSERT")) and "django_session" in q["sql"]
                for q in seen.captured_queries
            )

        clock.move_to(start + timedelta(seconds=61))
        assert session_writes("/en/") == 1  # the first page after a minute renews
        renewed = Session.objects.get(session_key=key).expire_date
        for seconds in (70, 90, 115):  # pages within the minute write nothing
            clock.move_to(start + timedelta(seconds=seconds))
            assert session_writes("/en/") == 0
        clock.move_to(start + timedelta(seconds=125))
        assert session_writes("/en/account/") == 1
        assert Session.objects.get(session_key=key).expire_date > renewed
        # Thirty minutes after the last renewal the session is gone, as before.
        clock.move_to(start + timedelta(seconds=125, minutes=30, microseconds=1))
        assert client.get("/en/account/")["Location"].startswith("/en/account/sign-in/")
