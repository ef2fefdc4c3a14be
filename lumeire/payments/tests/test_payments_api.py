"""POST /api/v1/payments/test-gateway/tokens through the full middleware stack."""

from __future__ import annotations

import itertools
import json

import pytest
from django.test import Client
from freezegun import freeze_time

from lumeire.payments.models import TestGatewayCard
from lumeire.payments.services import TOKENISATIONS_PER_MINUTE
from lumeire.payments.tests.cards import card_details

pytestmark = pytest.mark.django_db

TOKENS = "/api/v1/payments/test-gateway/tokens"
_addresses = (f"198.51.100.{n % 250 + 1}" for n in itertools.count())


def send(body: object, *, address: str | None = None, language: str | None = None):
    headers = {"Accept-Language": language} if language else {}
    return Client().post(
        TOKENS,
        json.dumps(body),
        content_type="application/json",
        headers=headers,
        REMOTE_ADDR=address or next(_addresses),
    )


def test_a_valid_card_gets_a_token_and_nothing_of_the_card_comes_back():
    response = send(card_details(number="5555 5555 5555 4444"))

    assert response.status_code == 201
    body = response.json()
    assert list(body) == ["card_token"]
    assert body["card_token"].startswith("tok_")
    card = TestGatewayCard.objects.get(token=body["card_token"])
    assert (card.brand, card.last4) == ("mastercard", "4444")
    assert "no-store" in response["Cache-Control"]


def test_the_expiry_may_be_sent_as_numbers():
    response = send(card_details(exp_month=3, exp_year=2040))

    assert response.status_code == 201
    assert TestGatewayCard.objects.get().exp_month == 3


def test_a_refused_card_is_a_400_in_the_error_shape_without_the_number():
    response = send(card_details(number="4242424242424241", cvc="9"))

    assert response.status_code == 400
    assert response.json() == {
        "detail": "Some card details are not valid. Check the fields marked.",
        "errors": {
            "number": ["This card number is not valid. Check it against your card."],
            "cvc": ["Enter the 3 or 4 digit security code (CVC) printed on your card."],
        },
        "code": "invalid_card_number",
    }
    assert b"4242424242424241" not in response.content
    assert TestGatewayCard.objects.count() == 0


def test_an_expired_card_is_a_400_with_its_own_code():
    with freeze_time("2030-06-15 12:00:00"):
        response = send(card_details(exp_month="5", exp_year="2030"))

    assert response.status_code == 400
    assert response.json()["code"] == "card_expired"
    assert response.json()["errors"] == {"exp_month": ["This card has expired. Use another card."]}


def test_refusals_follow_accept_language():
    response = send(card_details(cvc=""), language="ar")

    assert response.status_code == 400
    assert response.json()["detail"] == "أدخل رمز الأمان (CVC) المطبوع على بطاقتك، من 3 أو 4 أرقام."


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"exp_month": "12", "exp_year": "2040", "cvc": "123"}, "number"),
        ({**card_details(), "cvc": 123}, "cvc"),
        ({**card_details(), "number": 4242424242424242}, "number"),
        ({**card_details(), "pan": "4242424242424242"}, "pan"),
    ],
)
def test_a_malformed_body_is_a_400_keyed_by_the_field(body, field):
    response = send(body)

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert b"4242424242424242" not in response.content
    assert TestGatewayCard.objects.count() == 0


def test_tokenisations_are_limited_per_client_address():
    address = "203.0.113.201"
    with freeze_time("2030-01-01 12:00:10"):
        statuses = {
            send(card_details(), address=address).status_code
            for _ in range(TOKENISATIONS_PER_MINUTE)
        }
        refused = send(card_details(), address=address)
        elsewhere = send(card_details())

    assert statuses == {201}
    assert refused.status_code == 429
    assert refused["Retry-After"] == "50"
    assert refused.json()["code"] == "rate_limited"
    assert elsewhere.status_code == 201
    assert TestGatewayCard.objects.count() == TOKENISATIONS_PER_MINUTE + 1


def test_a_new_minute_allows_again():
    address = "203.0.113.202"
    with freeze_time("2030-01-01 12:00:59") as clock:
        for _ in range(TOKENISATIONS_PER_MINUTE):
            send(card_details(), address=address)
        assert send(card_details(), address=address).status_code == 429
        clock.tick(1)

        assert send(card_details(), address=address).status_code == 201


def test_the_endpoint_is_gone_when_the_store_uses_another_gateway(settings):
    settings.LUMEIRE_CARD_GATEWAY = "lumeire.payments.tests.other_gateway.OtherGateway"

    response = send(card_details())

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_the_openapi_document_describes_the_endpoint_and_its_errors():
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    responses = paths[TOKENS]["post"]["responses"]

    assert {"201", "400", "429"} <= set(responses)
    for code in ("400", "429"):
        schema = responses[code]["content"]["application/json"]["schema"]
        assert schema["$ref"].endswith("/ErrorSchema")
    assert "Retry-After" in responses["429"]["headers"]
