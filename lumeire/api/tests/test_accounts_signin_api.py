"""/api/v1/accounts/ through the full middleware stack: sign-in, bearer tokens, my account."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pyotp
import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from freezegun import freeze_time

from lumeire.accounts.models import AccountKind, ApiToken, Customer, User
from lumeire.accounts.services.signin import api_token_issue
from lumeire.accounts.services.two_factor import two_factor_begin, two_factor_confirm
from lumeire.accounts.tests.factories import PASSWORD, identity_number, make_customer
from lumeire.api.tests.helpers import send, sign_in

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a new and rather long passphrase"

# --- Sign-in and tokens -------------------------------------------------------------------------


def test_sign_in_by_username_or_email_returns_a_token_for_thirty_days():
    user = make_customer(username="Reem")
    before = timezone.now()

    by_name = send("POST", "/accounts/signin", {"login": "reem", "password": PASSWORD})
    by_email = send("POST", "/accounts/signin", {"login": user.email.upper(), "password": PASSWORD})

    for response in (by_name, by_email):
        assert response.status_code == 200
        assert set(response.json()) == {"token", "expires_at"}
        assert "no-store" in response["Cache-Control"]
        expires = datetime.fromisoformat(response.json()["expires_at"])
        assert expires.tzinfo is not None
        assert timedelta(days=30) <= expires - before < timedelta(days=30, minutes=1)
    assert by_name.json()["token"] != by_email.json()["token"]
    assert ApiToken.objects.filter(user=user).count() == 2
    stored = set(ApiToken.objects.values_list("token_hash", flat=True))
    assert by_name.json()["token"] not in stored


def test_wrong_password_and_unknown_login_get_the_same_401():
    make_customer(username="reem")

    wrong = send("POST", "/accounts/signin", {"login": "reem", "password": "not it at all"})
    unknown = send("POST", "/accounts/signin", {"login": "nobody", "password": "not it at all"})

    assert wrong.status_code == unknown.status_code == 401
    assert wrong.content == unknown.content
    assert wrong.json() == {
        "detail": "The login or the password is not right.",
        "code": "invalid_credentials",
    }
    assert ApiToken.objects.count() == 0


def test_sign_in_without_a_password_is_a_400():
    response = send("POST", "/accounts/signin", {"login": "reem"})

    assert response.status_code == 400
    assert response.json()["errors"] == {"password": ["Field required"]}


def test_five_wrong_passwords_lock_the_login_then_it_unlocks_after_fifteen_minutes():
    make_customer(username="reem")
    wrong = {"login": "reem", "password": "wrong password again"}
    with freeze_time(timezone.now()) as clock:
        statuses = [send("POST", "/accounts/signin", wrong).status_code for _ in range(5)]
        locked = send("POST", "/accounts/signin", {"login": "reem", "password": PASSWORD})

        assert statuses == [401, 401, 401, 401, 429]
        assert locked.status_code == 429
        assert locked["Retry-After"] == "900"
        assert locked.json()["code"] == "locked_out"
        assert "token" not in locked.json()
        assert ApiToken.objects.count() == 0

        clock.tick(timedelta(minutes=14, seconds=59))
        assert (
            send("POST", "/accounts/signin", {"login": "reem", "password": PASSWORD}).status_code
            == 429
        )
        clock.tick(timedelta(seconds=2))
        assert sign_in("reem", PASSWORD)


def test_two_factor_code_is_required_where_it_is_on():
    user = make_customer(username="guarded")
    secret = two_factor_begin(actor=user).secret
    two_factor_confirm(actor=user, code=pyotp.TOTP(secret).now())

    missing = send("POST", "/accounts/signin", {"login": "guarded", "password": PASSWORD})
    with freeze_time(timezone.now() + timedelta(seconds=60)):
        code = pyotp.TOTP(secret).now()
        wrong = send(
            "POST",
            "/accounts/signin",
            {
                "login": "guarded",
                "password": PASSWORD,
                "otp": "000000" if code != "000000" else "111111",
            },
        )
        right = send(
            "POST", "/accounts/signin", {"login": "guarded", "password": PASSWORD, "otp": code}
        )

    assert (missing.status_code, missing.json()["code"]) == (401, "two_factor_required")
    assert (wrong.status_code, wrong.json()["code"]) == (401, "two_factor_invalid")
    assert right.status_code == 200
    assert ApiToken.objects.filter(user=user).count() == 1


def test_me_shows_the_customers_own_values_with_the_identity_masked():
    user = make_customer(
        username="reem", full_name="Reem Al-Qahtani", date_of_birth=date(1990, 5, 17)
    )
    token = sign_in("reem", PASSWORD)

    with freeze_time("2026-11-25 12:00:00"):
        response = send("GET", "/accounts/me", token=token)

    assert response.status_code == 200
    number = user.customer.identity_number
    assert response.json() == {
        "username": "reem",
        "email": user.email,
        "full_name": "Reem Al-Qahtani",
        "date_of_birth": "1990-05-17",
        "age": 36,
        "identity_number_masked": number[0] + "******" + number[-3:],
        "identity_type": "national_id",
    }
    assert number not in response.content.decode()
    assert "no-store" in response["Cache-Control"]


def test_residence_numbers_are_typed_as_such():
    make_customer(username="resident", identity_number=identity_number(42, first_digit="2"))
    token = sign_in("resident", PASSWORD)

    assert send("GET", "/accounts/me", token=token).json()["identity_type"] == "residence"


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer", "Bearer not-a-real-token", "Token abc", "Basic cmVlbTpwYXNz"],
)
def test_me_without_a_valid_token_is_a_401_in_the_error_shape(authorization):
    make_customer(username="reem")
    headers = {} if authorization is None else {"Authorization": authorization}

    response = Client().get("/api/v1/accounts/me", headers=headers)

    assert response.status_code == 401
    assert response.json() == {"detail": "Sign in to do this."}
    assert response["WWW-Authenticate"] == "Bearer"


def test_each_customer_sees_only_their_own_account():
    make_customer(username="first_one")
    make_customer(username="second_one")
    first, second = sign_in("first_one", PASSWORD), sign_in("second_one", PASSWORD)

    assert send("GET", "/accounts/me", token=first).json()["username"] == "first_one"
    assert send("GET", "/accounts/me", token=second).json()["username"] == "second_one"


def test_a_staff_token_opens_no_customer_endpoint():
    staff = User(kind=AccountKind.STAFF, username="staffer", email="staffer@example.com")
    staff.set_password(PASSWORD)
    staff.save()
    token = api_token_issue(user=staff).raw

    assert send("GET", "/accounts/me", token=token).status_code == 401


def test_a_token_expires_after_thirty_days():
    make_customer(username="reem")
    with freeze_time(timezone.now()) as clock:
        token = sign_in("reem", PASSWORD)
        clock.tick(timedelta(days=30) - timedelta(seconds=1))
        assert send("GET", "/accounts/me", token=token).status_code == 200
        clock.tick(timedelta(seconds=1))
        assert send("GET", "/accounts/me", token=token).status_code == 401


def test_sign_out_ends_every_token_and_web_session_of_the_account():
    make_customer(username="reem")
    other = make_customer(username="other_one")
    phone, laptop = sign_in("reem", PASSWORD), sign_in("reem", PASSWORD)
    bystander = sign_in("other_one", PASSWORD)
    browser = Client()
    assert (
        browser.post("/en/account/sign-in/", {"login": "reem", "password": PASSWORD}).status_code
        == 302
    )

    response = send("POST", "/accounts/signout", token=phone)

    assert response.status_code == 204
    assert response.content == b""
    assert send("GET", "/accounts/me", token=phone).status_code == 401
    assert send("POST", "/accounts/signout", token=phone).status_code == 401
    assert send("GET", "/accounts/me", token=laptop).status_code == 401
    assert browser.get("/en/account/").status_code == 302, "the web session ended too"
    assert send("GET", "/accounts/me", token=bystander).json()["username"] == other.username


# --- Profile and password ---------------------------------------------------------------------


def test_patch_me_changes_the_name_and_the_date_of_birth():
    make_customer(username="reem")
    token = sign_in("reem", PASSWORD)

    response = send(
        "PATCH",
        "/accounts/me",
        {"full_name": "  Reem   Al-Otaibi ", "date_of_birth": "1985-01-02"},
        token=token,
    )

    assert response.status_code == 200
    assert response.json()["full_name"] == "Reem Al-Otaibi"
    assert response.json()["date_of_birth"] == "1985-01-02"
    customer = Customer.objects.get(user__in=User.objects.all())
    assert (customer.full_name, customer.date_of_birth) == ("Reem Al-Otaibi", date(1985, 1, 2))


def test_patch_me_with_one_field_leaves_the_other():
    make_customer(username="reem", full_name="Reem First")
    token = sign_in("reem", PASSWORD)

    response = send("PATCH", "/accounts/me", {"date_of_birth": "1985-01-02"}, token=token)

    assert response.status_code == 200
    assert response.json()["full_name"] == "Reem First"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"date_of_birth": "02/01/1985"}, "date_of_birth"),
        ({"date_of_birth": "2999-01-01"}, "date_of_birth"),
        ({"full_name": "  "}, "full_name"),
    ],
)
def test_patch_me_refuses_bad_values_and_changes_nothing(body, field):
    make_customer(username="reem", full_name="Reem First")
    token = sign_in("reem", PASSWORD)

    response = send("PATCH", "/accounts/me", body, token=token)

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {field}
    assert Customer.objects.get().full_name == "Reem First"


def test_patch_me_cannot_assign_anything_else():
    user = make_customer(username="reem", full_name="Reem First")
    token = sign_in("reem", PASSWORD)
    before = (user.email, user.customer.identity_number, user.kind, user.password)
    verified_at = user.email_verified_at

    response = send(
        "PATCH",
        "/accounts/me",
        {
            "full_name": "Someone Else",
            "is_staff": True,
            "is_superuser": True,
            "kind": "staff",
            "email": "attacker@example.com",
            "identity_number": identity_number(77),
            "email_verified_at": "2026-01-01T00:00:00Z",
            "password": "a brand new password here",
        },
        token=token,
    )

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {
        "is_staff",
        "is_superuser",
        "kind",
        "email",
        "identity_number",
        "email_verified_at",
        "password",
    }
    user = User.objects.get(pk=user.pk)
    assert (user.email, user.customer.identity_number, user.kind, user.password) == before
    assert user.customer.full_name == "Reem First"
    assert user.email_verified_at == verified_at
    assert not user.is_superuser and not user.is_staff


def test_patch_me_needs_a_token():
    assert send("PATCH", "/accounts/me", {"full_name": "Nobody"}).status_code == 401


def test_password_change_ends_every_token_including_this_one():
    make_customer(username="reem")
    token, other = sign_in("reem", PASSWORD), sign_in("reem", PASSWORD)
    mail.outbox.clear()

    response = send(
        "POST",
        "/accounts/password",
        {"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        token=token,
    )

    assert response.status_code == 204
    assert send("GET", "/accounts/me", token=token).status_code == 401
    assert send("GET", "/accounts/me", token=other).status_code == 401
    assert len(mail.outbox) == 1
    assert NEW_PASSWORD not in mail.outbox[0].body
    assert (
        send("POST", "/accounts/signin", {"login": "reem", "password": PASSWORD}).status_code == 401
    )
    assert sign_in("reem", NEW_PASSWORD)


def test_password_change_needs_the_current_password():
    make_customer(username="reem")
    token = sign_in("reem", PASSWORD)

    response = send(
        "POST",
        "/accounts/password",
        {"current_password": "not the password", "new_password": NEW_PASSWORD},
        token=token,
    )

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"current_password"}
    assert send("GET", "/accounts/me", token=token).status_code == 200


def test_password_change_refuses_a_weak_new_password():
    make_customer(username="reem")
    token = sign_in("reem", PASSWORD)

    response = send(
        "POST",
        "/accounts/password",
        {"current_password": PASSWORD, "new_password": "short"},
        token=token,
    )

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"new_password"}
    assert sign_in("reem", PASSWORD)
