"""The test gateway's card page: the form, the way back with a token, and refusals that never
show the card number again."""

from __future__ import annotations

import itertools
import json
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.http import Http404
from django.test import Client, RequestFactory
from freezegun import freeze_time

from lumeire.payments.models import TestGatewayCard
from lumeire.payments.services import TOKENISATIONS_PER_MINUTE
from lumeire.payments.tests.cards import card_details
from lumeire.payments.views import card_form, local_path, with_card_token

pytestmark = pytest.mark.django_db

PAGE = "/en/payments/test-gateway/card/"
RETURN_TO = "/en/checkout/payment/"

_addresses = (f"198.51.100.{n % 250 + 1}" for n in itertools.count())


def get(return_to: str | None = RETURN_TO, *, language: str = "en"):
    query = {} if return_to is None else {"return_to": return_to}
    return Client().get(PAGE.replace("/en/", f"/{language}/"), query, REMOTE_ADDR=next(_addresses))


def post(details: dict[str, object], return_to: str = RETURN_TO, *, address=None, language="en"):
    path = PAGE.replace("/en/", f"/{language}/")
    return Client().post(
        f"{path}?{_query(return_to)}", details, REMOTE_ADDR=address or next(_addresses)
    )


def _query(return_to: str) -> str:
    return urlencode({"return_to": return_to})


def test_the_page_asks_for_the_card_with_the_browsers_autofill_names():
    response = get()
    page = response.content.decode()

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    for name, autocomplete in [
        ("number", "cc-number"),
        ("exp_month", "cc-exp-month"),
        ("exp_year", "cc-exp-year"),
        ("cvc", "cc-csc"),
    ]:
        assert f'name="{name}"' in page
        assert f'autocomplete="{autocomplete}"' in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert 'action="/en/payments/test-gateway/card/?return_to=/en/checkout/payment/"' in page
    assert "<script" not in page.split("</head>")[1] and " style=" not in page


def test_the_page_speaks_arabic_under_ar():
    page = get(RETURN_TO.replace("/en/", "/ar/"), language="ar").content.decode()

    assert "الدفع بالبطاقة" in page
    assert 'dir="rtl"' in page


def test_a_valid_card_goes_back_to_return_to_with_its_token():
    response = post(card_details())

    assert response.status_code == 303
    location = urlsplit(response["Location"])
    assert location.path == RETURN_TO
    (token,) = parse_qs(location.query)["card_token"]
    card = TestGatewayCard.objects.get(token=token)
    assert (card.brand, card.last4) == ("visa", "4242")


def test_the_way_back_keeps_its_own_query_and_replaces_an_old_token():
    response = post(card_details(), "/en/checkout/payment/?step=2&card_token=tok_old#pay")

    location = urlsplit(response["Location"])
    query = parse_qs(location.query)
    assert location.path == "/en/checkout/payment/"
    assert query["step"] == ["2"]
    assert query["card_token"] != ["tok_old"] and len(query["card_token"]) == 1
    assert location.fragment == "pay"


@pytest.mark.parametrize(
    "return_to",
    [
        None,
        "",
        "checkout/payment/",
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "\\\\evil.example",
        "/\t/evil.example",
        " /en/checkout/",
        "javascript:alert(1)",
        "/en/" + "x" * 2000,
    ],
)
def test_a_way_back_that_is_not_a_local_path_is_a_400_on_get_and_post(return_to):
    shown = get(return_to)
    posted = Client().post(
        PAGE if return_to is None else f"{PAGE}?{_query(return_to)}",
        card_details(),
        REMOTE_ADDR=next(_addresses),
    )

    assert shown.status_code == posted.status_code == 400
    assert "a link that is not valid" in shown.content.decode()
    assert TestGatewayCard.objects.count() == 0


def test_local_paths_and_the_token_added_to_them():
    assert local_path("/en/checkout/payment/")
    assert local_path("/ar/checkout/payment/?a=1")
    assert not local_path("//x")
    assert with_card_token("/p/?a=1&card_token=old", "tok_new") == "/p/?a=1&card_token=tok_new"


def test_a_bad_number_is_refused_on_its_field_and_never_shown_again():
    response = post(card_details(number="4242 4242 4242 4241", cvc="987"))
    page = response.content.decode()

    assert response.status_code == 400
    assert "This card number is not valid. Check it against your card." in page
    assert "field--invalid" in page
    assert "4242424242424241" not in page
    assert "4242 4242 4242 4241" not in page
    assert 'value="987"' not in page
    assert 'value="12"' in page  # the expiry month is kept for the shopper to correct the rest
    assert TestGatewayCard.objects.count() == 0


def test_a_valid_number_is_not_shown_again_when_another_field_is_wrong():
    response = post(card_details(number="4242-4242-4242-4242", cvc="1"))
    page = response.content.decode()

    assert response.status_code == 400
    assert "Enter the 3 or 4 digit security code (CVC) printed on your card." in page
    assert "4242-4242-4242-4242" not in page
    assert "4242424242424242" not in page


def test_refusals_are_in_arabic_on_the_arabic_page():
    response = post(
        card_details(number="4242424242424241"),
        RETURN_TO.replace("/en/", "/ar/"),
        language="ar",
    )

    assert response.status_code == 400
    assert "رقم البطاقة هذا غير صحيح. طابقه مع بطاقتك." in response.content.decode()


def test_an_empty_post_names_every_field():
    response = post({})

    assert response.status_code == 400
    assert response.content.decode().count('class="field field--invalid"') == 4


def test_the_card_number_and_cvc_are_hidden_from_error_reports(settings):
    settings.LUMEIRE_CARD_GATEWAY = "lumeire.payments.tests.other_gateway.OtherGateway"
    request = RequestFactory().post(f"{PAGE}?return_to={RETURN_TO}", card_details())

    with pytest.raises(Http404):
        card_form(request)

    assert request.sensitive_post_parameters == ("number", "cvc")


def test_card_entries_are_limited_per_client_address_with_the_api():
    address = "203.0.113.77"
    with freeze_time("2030-01-01 12:00:15"):
        for _ in range(TOKENISATIONS_PER_MINUTE - 1):
            assert post(card_details(), address=address).status_code == 303
        api = Client().post(
            "/api/v1/payments/test-gateway/tokens",
            json.dumps(card_details()),
            content_type="application/json",
            REMOTE_ADDR=address,
        )
        refused = post(card_details(), address=address)
        elsewhere = post(card_details())

    assert api.status_code == 201
    assert refused.status_code == 429
    assert refused["Retry-After"] == "45"
    assert "Too many card attempts. Wait a minute, then try again." in refused.content.decode()
    assert elsewhere.status_code == 303


def test_the_page_is_not_served_when_the_store_uses_another_gateway(settings):
    settings.LUMEIRE_CARD_GATEWAY = "lumeire.payments.tests.other_gateway.OtherGateway"

    assert get().status_code == 404
    assert post(card_details()).status_code == 404
    assert TestGatewayCard.objects.count() == 0
