"""Tokenising: what the test gateway's hosted fields accept, refuse and keep."""

from __future__ import annotations

import pytest
from django.utils import translation
from freezegun import freeze_time
from hypothesis import given
from hypothesis import strategies as st

from lumeire.payments.errors import PaymentError, PaymentErrorCode
from lumeire.payments.models import CardOutcome, TestGatewayCard
from lumeire.payments.services import card_tokenise
from lumeire.payments.tests.cards import APPROVED, DECLINED, card_details, tokenised

pytestmark = pytest.mark.django_db


def refusal(**overrides: object) -> PaymentError:
    kept = TestGatewayCard.objects.count()
    with pytest.raises(PaymentError) as refused:
        tokenised(**overrides)
    assert TestGatewayCard.objects.count() == kept
    return refused.value


def luhn_digit(payload: str) -> str:
    """The check digit that makes ``payload`` + it pass Luhn."""
    total = 0
    for position, char in enumerate(reversed(payload)):
        value = int(char)
        if position % 2 == 0:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return str(-total % 10)


# --- What is kept -------------------------------------------------------------------------------


def test_a_valid_card_keeps_a_token_brand_last4_and_expiry_and_nothing_else():
    card = tokenised(number="4242 4242-4242 4242", exp_month="7", exp_year="2031")

    assert card.token.startswith("tok_") and len(card.token) > 30
    assert (card.brand, card.last4, card.exp_month, card.exp_year) == ("visa", "4242", 7, 2031)
    assert card.outcome == CardOutcome.APPROVE
    assert card.used_at is None
    assert {f.name for f in TestGatewayCard._meta.concrete_fields} == {
        "id",
        "token",
        "brand",
        "last4",
        "exp_month",
        "exp_year",
        "outcome",
        "created_at",
        "used_at",
    }


def test_every_token_is_new():
    assert tokenised().token != tokenised().token


@pytest.mark.parametrize(
    ("number", "brand"),
    [
        ("4242424242424242", "visa"),
        ("4000000000000002", "visa"),
        ("5555555555554444", "mastercard"),
        ("5105105105105100", "mastercard"),
        ("2223003122003222", "mastercard"),
        ("2720990000000007", "mastercard"),
        ("378282246310005", "amex"),
        ("340000000000009", "amex"),
        ("6011111111111117", "card"),
        ("3530111333300000", "card"),
        ("2220990000000000", "card"),
    ],
)
def test_the_brand_comes_from_the_first_digits(number, brand):
    number = number[:-1] + luhn_digit(number[:-1])

    card = tokenised(number=number)

    assert (card.brand, card.last4) == (brand, number[-4:])


def test_the_decline_card_is_kept_to_be_declined_and_every_other_valid_card_approved():
    assert tokenised(number=DECLINED).outcome == CardOutcome.DECLINE
    assert tokenised(number=APPROVED).outcome == CardOutcome.APPROVE
    assert tokenised(number="5555555555554444").outcome == CardOutcome.APPROVE


def test_arabic_indic_and_full_width_digits_are_read_as_digits():
    card = tokenised(number="٤٢٤٢ ٤٢٤٢ ٤٢٤٢ ٤٢٤٢", exp_month="١٢", cvc="１２３")

    assert (card.last4, card.exp_month) == ("4242", 12)


@given(
    payload=st.text(alphabet="0123456789", min_size=11, max_size=18),
    position=st.integers(min_value=0, max_value=18),
    change=st.integers(min_value=1, max_value=9),
)
def test_any_luhn_valid_number_is_taken_and_any_one_mistyped_digit_is_refused(
    payload, position, change
):
    number = payload + luhn_digit(payload)
    assert tokenised(number=number).last4 == number[-4:]

    position %= len(number)
    mistyped = (
        number[:position] + str((int(number[position]) + change) % 10) + number[position + 1 :]
    )
    with pytest.raises(PaymentError) as refused:
        tokenised(number=mistyped)
    assert refused.value.code == PaymentErrorCode.INVALID_CARD_NUMBER


# --- Refusals -----------------------------------------------------------------------------------


def test_a_number_failing_the_luhn_check_is_refused_on_the_number_field():
    refused = refusal(number="4242 4242 4242 4241")

    assert refused.code == PaymentErrorCode.INVALID_CARD_NUMBER
    assert refused.message == "This card number is not valid. Check it against your card."
    assert refused.field_errors == {"number": [refused.message]}


@pytest.mark.parametrize(
    "number",
    ["", "   ", "42424242424", "4" * 20, "4242 4242 4242 424x", "4242.4242.4242.4242", None, 42],
)
def test_numbers_that_are_not_12_to_19_digits_are_refused(number):
    refused = refusal(number=number)

    assert refused.code == PaymentErrorCode.INVALID_CARD_NUMBER
    assert refused.field_errors == {
        "number": ["Enter the card number: 12 to 19 digits, as printed on the card."]
    }


@pytest.mark.parametrize("month", ["0", "13", "", "ab", "1.5", "-1", 0, None, "123"])
def test_an_expiry_month_outside_1_to_12_is_refused(month):
    refused = refusal(exp_month=month)

    assert refused.code == PaymentErrorCode.INVALID_EXPIRY
    assert list(refused.field_errors) == ["exp_month"]


@pytest.mark.parametrize("year", ["", "2", "202", "20311", "twenty", None, "20 31"])
def test_an_expiry_year_of_other_than_2_or_4_digits_is_refused(year):
    refused = refusal(exp_year=year)

    assert refused.code == PaymentErrorCode.INVALID_EXPIRY
    assert refused.field_errors == {
        "exp_year": ["Enter the expiry year as 2 or 4 digits, like 28 or 2028."]
    }


@freeze_time("2030-06-15 12:00:00")
def test_a_card_works_to_the_end_of_its_expiry_month():
    assert tokenised(exp_month="6", exp_year="30").exp_year == 2030
    assert tokenised(exp_month=6, exp_year=2030).exp_month == 6


@freeze_time("2030-06-15 12:00:00")
def test_an_expired_card_is_refused_on_the_month_in_this_year_and_on_the_year_before():
    this_year = refusal(exp_month="5", exp_year="2030")
    last_year = refusal(exp_month="12", exp_year="29")

    assert this_year.code == last_year.code == PaymentErrorCode.CARD_EXPIRED
    assert this_year.field_errors == {"exp_month": ["This card has expired. Use another card."]}
    assert last_year.field_errors == {"exp_year": ["This card has expired. Use another card."]}


@freeze_time("2030-06-15 12:00:00")
def test_an_expiry_more_than_20_years_ahead_is_a_typing_mistake():
    assert tokenised(exp_year="2050").exp_year == 2050

    refused = refusal(exp_year="2051")

    assert refused.code == PaymentErrorCode.INVALID_EXPIRY
    assert list(refused.field_errors) == ["exp_year"]


@freeze_time("2030-01-01 00:30:00+03:00")
def test_expiry_follows_the_stores_calendar():
    # 21:30 UTC on 31 December is already January in Riyadh: a December 2029 card has expired.
    assert refusal(exp_month="12", exp_year="2029").code == PaymentErrorCode.CARD_EXPIRED


@pytest.mark.parametrize("cvc", ["", "12", "12345", "abc", "12a", None, "1 2 3 4 5"])
def test_a_cvc_of_other_than_3_or_4_digits_is_refused(cvc):
    refused = refusal(cvc=cvc)

    assert refused.code == PaymentErrorCode.INVALID_CVC
    assert refused.field_errors == {
        "cvc": ["Enter the 3 or 4 digit security code (CVC) printed on your card."]
    }


@pytest.mark.parametrize("cvc", ["123", "0000", " 456 "])
def test_a_cvc_of_3_or_4_digits_is_taken(cvc):
    assert tokenised(cvc=cvc).pk


def test_every_wrong_field_is_named_at_once_and_the_code_is_the_first_fields():
    refused = refusal(number="1234", exp_month="13", exp_year="x", cvc="1")

    assert refused.code == PaymentErrorCode.INVALID_CARD_NUMBER
    assert set(refused.field_errors) == {"number", "exp_month", "exp_year", "cvc"}
    assert refused.message == "Some card details are not valid. Check the fields marked."


def test_a_refusal_never_repeats_the_number_or_the_cvc():
    refused = refusal(number="4242424242424241", cvc="98765")

    text = " ".join([str(refused), refused.message, repr(refused.field_errors), repr(refused)])
    assert "4242424242424241" not in text
    assert "98765" not in text


def test_refusals_are_in_the_shoppers_language():
    with translation.override("ar"):
        refused = refusal(number="4242424242424241", cvc="1")

    assert refused.message == "بعض بيانات البطاقة غير صحيحة. راجع الحقول المشار إليها."
    assert refused.field_errors["number"] == ["رقم البطاقة هذا غير صحيح. طابقه مع بطاقتك."]


def test_the_service_takes_keywords_only():
    with pytest.raises(TypeError):
        card_tokenise(*card_details().values())  # type: ignore[misc]
