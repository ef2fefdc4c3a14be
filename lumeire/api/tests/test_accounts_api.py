"""/api/v1/accounts/ through the full middleware stack: sign-up, and the contract's OpenAPI."""

from __future__ import annotations

from datetime import date

import pytest
from django.core import mail
from django.test import Client
from django.utils import translation
from freezegun import freeze_time

from lumeire.accounts.models import AccountKind, SignupConflict, User
from lumeire.accounts.tests.factories import make_customer, sign_up_link_token
from lumeire.api.tests.helpers import send, sign_up_body
from lumeire.core.identity import IDENTITY_NUMBER_MESSAGES, IdentityNumberErrorCode

pytestmark = pytest.mark.django_db

INVALID = "Some fields need your attention."


def signup(body, **kwargs):
    return send("POST", "/accounts/signup", body, **kwargs)


# --- Sign-up ----------------------------------------------------------------------------------


def test_sign_up_opens_an_account_in_the_request_language_from_the_emailed_link():
    body = sign_up_body(username="layla_api")

    response = signup(body, language="ar")

    assert response.status_code == 201
    assert response.json()["username"] == "layla_api"
    assert User.objects.count() == 0, "nothing opens before the link"
    token = sign_up_link_token(body["email"], mail.outbox)
    opened = send("POST", "/accounts/signup/confirm", {"token": token})
    assert opened.status_code == 201
    assert opened.json()["username"] == "layla_api"
    assert send("POST", "/accounts/signup/confirm", {"token": token}).status_code == 404
    user = User.objects.get()
    assert (user.get_username(), user.email, user.kind, user.language) == (
        "layla_api",
        body["email"],
        AccountKind.CUSTOMER,
        "ar",
    )
    assert user.customer.date_of_birth == date.fromisoformat(body["date_of_birth"])
    assert [message.to for message in mail.outbox] == [[body["email"]]]


@freeze_time("2026-11-25 12:00:00")
@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"username": "ab"}, "username"),
        ({"username": "has space"}, "username"),
        ({"username": "x" * 31}, "username"),
        ({"username": ""}, "username"),
        ({"email": "not-an-email"}, "email"),
        ({"email": ""}, "email"),
        ({"password": "short pass"}, "password"),
        ({"password": "x" * 129}, "password"),
        ({"password": "1q2w3e4r5t6y7u8i9o0p"}, "password"),
        ({"password": "lumeire-lumeire-2026"}, "password"),
        ({"password": ""}, "password"),
        ({"full_name": "   "}, "full_name"),
        ({"full_name": "x" * 151}, "full_name"),
        ({"date_of_birth": "2026-11-26"}, "date_of_birth"),
        ({"date_of_birth": "1899-12-31"}, "date_of_birth"),
        ({"date_of_birth": "2008-11-26"}, "date_of_birth"),
        ({"date_of_birth": "17/05/1990"}, "date_of_birth"),
        ({"date_of_birth": "1990-02-30"}, "date_of_birth"),
        ({"date_of_birth": "1990-5-17"}, "date_of_birth"),
        ({"date_of_birth": 642902400}, "date_of_birth"),
        ({"date_of_birth": None}, "date_of_birth"),
        ({"identity_number": "1000000000"}, "identity_number"),
        ({"identity_number": "3000000001"}, "identity_number"),
        ({"identity_number": "12345"}, "identity_number"),
        ({"identity_number": "10000000a0"}, "identity_number"),
        ({"recovery_question": "mothers_maiden_name"}, "recovery_question"),
        ({"recovery_answer": " a "}, "recovery_answer"),
        ({"accepted_policy_version": 99}, "accepted_policy_version"),
        ({"accepted_policy_version": "latest"}, "accepted_policy_version"),
    ],
)
def test_each_sign_up_rule_is_a_400_keyed_by_its_field_and_saves_nothing(overrides, field):
    response = signup(sign_up_body(**overrides))

    assert response.status_code == 400
    body = response.json()
    assert set(body["errors"]) == {field}
    assert all(message.strip() for message in body["errors"][field])
    assert User.objects.count() == 0
    assert mail.outbox == []


def test_recovery_answer_equal_to_the_username_is_refused():
    response = signup(sign_up_body(username="noor_api", recovery_answer="Noor_API"))

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"recovery_answer"}


def test_all_bad_fields_are_reported_together():
    response = signup(sign_up_body(username="ab", email="nope", password="short pass"))

    assert response.status_code == 400
    assert response.json()["detail"] == INVALID
    assert response.json()["code"] == "invalid_input"
    assert set(response.json()["errors"]) == {"username", "email", "password"}


def test_a_missing_field_is_named():
    body = sign_up_body()
    del body["identity_number"]

    response = signup(body)

    assert response.status_code == 400
    assert response.json()["errors"] == {"identity_number": ["Field required"]}


def test_a_field_the_contract_does_not_list_is_refused_and_grants_nothing():
    response = signup(sign_up_body(is_staff=True, kind="staff"))

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"is_staff", "kind"}
    assert User.objects.count() == 0


def test_identity_number_errors_come_in_arabic_when_asked():
    message = IDENTITY_NUMBER_MESSAGES[IdentityNumberErrorCode.BAD_CHECK_DIGIT]
    with translation.override("ar"):
        arabic = str(message)
    assert arabic != str(message)  # the catalogue has it

    response = signup(sign_up_body(identity_number="1000000000", password="short"), language="ar")

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["identity_number"] == [arabic]
    assert errors["password"] and all(text.strip() for text in errors["password"])
    assert "1000000000" not in response.content.decode()


def test_a_taken_username_is_named_only_to_the_mailbox_at_the_link():
    make_customer(username="taken_name")
    body = sign_up_body(username="TAKEN_name")

    response = signup(body)

    assert response.status_code == 201
    token = sign_up_link_token(body["email"], mail.outbox)
    taken = send("POST", "/accounts/signup/confirm", {"token": token})
    assert taken.status_code == 400
    assert set(taken.json()["errors"]) == {"username"}
    again = send("POST", "/accounts/signup/confirm", {"token": token, "username": "free_name"})
    assert (again.status_code, again.json()["username"]) == (201, "free_name")


@pytest.mark.parametrize("taken", ["email", "identity_number", "username"])
def test_a_taken_email_identity_or_username_answers_exactly_like_a_new_account(taken):
    owner = make_customer()
    taken_value = {
        "email": owner.email,
        "identity_number": owner.customer.identity_number,
        "username": owner.username,
    }[taken]
    mail.outbox.clear()

    # The username-first oracle: one username with someone's value, then with fresh ones.
    username = taken_value if taken == "username" else "same_name"
    conflicting = signup(sign_up_body(**{"username": username, taken: taken_value}))
    fresh = signup(sign_up_body(username=username))

    assert conflicting.status_code == fresh.status_code == 201
    assert conflicting.content == fresh.content
    assert conflicting["Content-Type"] == fresh["Content-Type"]
    assert User.objects.count() == 1  # nothing opens before a link is opened
    assert len(mail.outbox) == 2
    if taken == "email":
        assert SignupConflict.objects.get().existing_user == owner


def test_malformed_json_is_a_400_on_every_body_endpoint():
    for path in ("/accounts/signup", "/accounts/signin", "/accounts/password-recovery"):
        response = send("POST", path, raw='{"login": ')
        assert response.status_code == 400, path
        assert response.json()["errors"] == {
            "body": ["Send the body as a JSON object encoded in UTF-8."]
        }


# --- The contract ----------------------------------------------------------------------------

CONTRACT = {
    "/api/v1/accounts/recovery-questions": {"get"},
    "/api/v1/accounts/signup": {"post"},
    "/api/v1/accounts/signup/confirm": {"post"},
    "/api/v1/accounts/signin": {"post"},
    "/api/v1/accounts/signout": {"post"},
    "/api/v1/accounts/me": {"get", "patch"},
    "/api/v1/accounts/password": {"post"},
    "/api/v1/accounts/password-recovery": {"post"},
    "/api/v1/accounts/password-recovery/complete": {"post"},
    "/api/v1/privacy/policy": {"get"},
    "/api/v1/privacy/policy/accept": {"post"},
}


def test_openapi_lists_every_contract_path_with_its_error_responses():
    document = Client().get("/api/v1/openapi.json").json()
    paths = document["paths"]

    for path, methods in CONTRACT.items():
        assert path in paths, path
        assert methods <= set(paths[path]), path
        for method in methods:
            responses = paths[path][method]["responses"]
            for status, response in responses.items():
                if status.startswith("4"):
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/ErrorSchema"}, (path, status)
    assert "429" in paths["/api/v1/accounts/signin"]["post"]["responses"]
    assert "Retry-After" in paths["/api/v1/accounts/signin"]["post"]["responses"]["429"]["headers"]
    assert "401" in paths["/api/v1/accounts/me"]["get"]["responses"]
    signup_fields = document["components"]["schemas"]["SignUpIn"]["properties"]
    assert set(signup_fields) == {
        "username",
        "email",
        "password",
        "full_name",
        "date_of_birth",
        "identity_number",
        "recovery_question",
        "recovery_answer",
        "accepted_policy_version",
    }
    assert set(document["components"]["schemas"]["MeOut"]["properties"]) == {
        "username",
        "email",
        "full_name",
        "date_of_birth",
        "age",
        "identity_number_masked",
        "identity_type",
    }
