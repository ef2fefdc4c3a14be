"""Saudi identity numbers: what is accepted, what is refused and why, and how it is plugged in."""

import dataclasses

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.migrations.serializer import serializer_factory
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from lumeire.core.identity import (
    IdentityNumber,
    IdentityNumberErrorCode,
    IdentityType,
    luhn_check_digit,
    normalize_identity_number,
    parse_identity_number,
    validate_identity_number,
    validate_saudi_identity_number,
)

MESSAGES = {
    IdentityNumberErrorCode.EMPTY: "Enter a national ID or residence number.",
    IdentityNumberErrorCode.NON_DIGIT: (
        "A national ID or residence number (iqama) can contain only digits."
    ),
    IdentityNumberErrorCode.WRONG_LENGTH: (
        "A national ID or residence number (iqama) has exactly 10 digits."
    ),
    IdentityNumberErrorCode.WRONG_FIRST_DIGIT: (
        "A national ID starts with 1 and a residence number starts with 2."
    ),
    IdentityNumberErrorCode.BAD_CHECK_DIGIT: (
        "This national ID or residence number (iqama) is not valid. Check it for a mistyped digit."
    ),
}

ARABIC_MESSAGES = {
    IdentityNumberErrorCode.EMPTY: "أدخل رقم الهوية الوطنية أو رقم الإقامة.",
    IdentityNumberErrorCode.NON_DIGIT: (
        "يجب أن يتكوّن رقم الهوية الوطنية أو رقم الإقامة من أرقام فقط."
    ),
    IdentityNumberErrorCode.WRONG_LENGTH: (
        "يتكوّن رقم الهوية الوطنية أو رقم الإقامة من عشرة أرقام بالضبط."
    ),
    IdentityNumberErrorCode.WRONG_FIRST_DIGIT: (
        "يبدأ رقم الهوية الوطنية بالرقم 1، ويبدأ رقم الإقامة بالرقم 2."
    ),
    IdentityNumberErrorCode.BAD_CHECK_DIGIT: (
        "رقم الهوية الوطنية أو رقم الإقامة هذا غير صحيح. تحقّق من عدم وجود خطأ في كتابة أحد أرقامه."
    ),
}

REFUSED = [
    ("", IdentityNumberErrorCode.EMPTY),
    ("   ", IdentityNumberErrorCode.EMPTY),
    (" - ", IdentityNumberErrorCode.EMPTY),
    (None, IdentityNumberErrorCode.EMPTY),
    ("10000000a8", IdentityNumberErrorCode.NON_DIGIT),
    ("+1000000008", IdentityNumberErrorCode.NON_DIGIT),
    ("100000000", IdentityNumberErrorCode.WRONG_LENGTH),
    ("10000000080", IdentityNumberErrorCode.WRONG_LENGTH),
    ("0000000000", IdentityNumberErrorCode.WRONG_FIRST_DIGIT),
    ("3000000004", IdentityNumberErrorCode.WRONG_FIRST_DIGIT),
    ("1000000000", IdentityNumberErrorCode.BAD_CHECK_DIGIT),
    ("2000000000", IdentityNumberErrorCode.BAD_CHECK_DIGIT),
    ("1058529941", IdentityNumberErrorCode.BAD_CHECK_DIGIT),
]

# Digits that str.isdigit() accepts but the store does not.
OTHER_SCRIPT_ONES = [
    "\N{DEVANAGARI DIGIT ONE}",
    "\N{BENGALI DIGIT ONE}",
    "\N{FULLWIDTH DIGIT ONE}",
    "\N{MATHEMATICAL BOLD DIGIT ONE}",
    "\N{SUPERSCRIPT ONE}",
    "\N{THAI DIGIT ONE}",
]


def arabic_indic(ascii_digits: str) -> str:
    """Write ASCII digits as an Arabic keyboard types them (U+0660 to U+0669)."""
    return "".join(chr(0x0660 + int(digit)) for digit in ascii_digits)


def eastern_arabic_indic(ascii_digits: str) -> str:
    """Write ASCII digits as a Persian or Urdu keyboard types them (U+06F0 to U+06F9)."""
    return "".join(chr(0x06F0 + int(digit)) for digit in ascii_digits)


@pytest.fixture(autouse=True)
def _check_digit_on(settings):
    settings.LUMEIRE_IDENTITY_CHECK_DIGIT = True
    settings.LUMEIRE_IDENTITY_VALIDATOR = "lumeire.core.identity.validate_saudi_identity_number"


def refusal(raw: object) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        validate_saudi_identity_number(raw)
    return caught.value


@pytest.mark.parametrize(
    ("raw", "identity_type"),
    [
        ("1000000008", IdentityType.NATIONAL_ID),
        ("1058529940", IdentityType.NATIONAL_ID),
        ("2000000006", IdentityType.RESIDENCE),
    ],
)
def test_known_valid_numbers_are_accepted_with_their_type(raw, identity_type):
    assert validate_saudi_identity_number(raw) == IdentityNumber(raw, identity_type)


@pytest.mark.parametrize(("raw", "code"), REFUSED)
def test_each_kind_of_wrong_number_is_refused_with_its_own_code_and_message(raw, code):
    error = refusal(raw)

    assert [item.code for item in error.error_list] == [code.value]
    assert error.messages == [MESSAGES[code]]


def test_every_error_code_has_a_distinct_message():
    codes = {code for _, code in REFUSED}

    assert codes == set(IdentityNumberErrorCode)
    assert len(set(MESSAGES.values())) == len(IdentityNumberErrorCode)


@pytest.mark.parametrize(("raw", "code"), [r for r in REFUSED if r[0] and r[0].strip(" -")])
def test_refusal_never_repeats_the_number(raw, code):
    error = refusal(raw)

    digits = normalize_identity_number(raw)
    assert digits not in str(error)
    assert digits not in repr(error)
    assert all(digits not in message for message in error.messages)
    assert error.params is None


@pytest.mark.parametrize(("raw", "code"), REFUSED)
def test_refusal_message_is_arabic_under_an_arabic_request(raw, code):
    error = refusal(raw)

    with translation.override("ar"):
        assert error.messages == [ARABIC_MESSAGES[code]]


def test_identity_type_labels_are_translated_to_arabic():
    with translation.override("ar"):
        assert str(IdentityType.NATIONAL_ID.label) == "هوية وطنية"
        assert str(IdentityType.RESIDENCE.label) == "رقم إقامة"


@pytest.mark.parametrize(
    ("raw", "digits"),
    [
        (arabic_indic("1058529940"), "1058529940"),
        (eastern_arabic_indic("2000000006"), "2000000006"),
        (arabic_indic("1058") + "529940", "1058529940"),  # mixed, as a phone keyboard may produce
        (arabic_indic("1058") + "-" + eastern_arabic_indic("529940"), "1058529940"),
        ("105 852 9940", "1058529940"),
        ("1058-529-940", "1058529940"),
        ("1058\N{EN DASH}529\N{EM DASH}940", "1058529940"),
        (" 1058529940\t", "1058529940"),
        ("1058\u00a0529\u00a0940", "1058529940"),  # no-break spaces
        ("\u200f1058529940\u200e", "1058529940"),  # direction marks from right-to-left text
        ("1.058.529.940", "1058529940"),
    ],
)
def test_arabic_digits_and_separators_are_accepted(raw, digits):
    assert validate_saudi_identity_number(raw).digits == digits


@pytest.mark.parametrize("one", OTHER_SCRIPT_ONES)
def test_other_script_digits_are_refused_as_non_digits(one):
    assert one.isdigit()

    error = refusal(one + "058529940")

    assert [item.code for item in error.error_list] == ["non_digit"]
    assert error.messages == [MESSAGES[IdentityNumberErrorCode.NON_DIGIT]]


def test_normalize_keeps_letters_and_other_scripts_for_the_validator_to_refuse():
    raw = arabic_indic("12") + "-ab \N{DEVANAGARI DIGIT ONE}"

    assert normalize_identity_number(raw) == "12ab\N{DEVANAGARI DIGIT ONE}"


def test_normalize_of_none_is_empty():
    assert normalize_identity_number(None) == ""


@pytest.mark.parametrize(
    ("prefix", "check_digit"),
    [("100000000", "8"), ("200000000", "6"), ("105852994", "0")],
)
def test_luhn_check_digit_completes_the_known_numbers(prefix, check_digit):
    assert luhn_check_digit(prefix) == check_digit


@pytest.mark.parametrize(
    "prefix", ["", "10000000", "1000000000", "10000000a", "\N{DEVANAGARI DIGIT ONE}00000000"]
)
def test_luhn_check_digit_refuses_anything_but_nine_ascii_digits(prefix):
    with pytest.raises(ValueError, match="exactly 9 ASCII digits"):
        luhn_check_digit(prefix)


nine_digit_prefixes = st.builds(
    lambda first, rest: first + rest,
    st.sampled_from(["1", "2"]),
    st.text(alphabet="0123456789", min_size=8, max_size=8),
)


@given(prefix=nine_digit_prefixes)
def test_any_prefix_with_its_computed_check_digit_is_accepted(prefix):
    number = validate_saudi_identity_number(prefix + luhn_check_digit(prefix))

    assert number.digits == prefix + luhn_check_digit(prefix)
    expected = IdentityType.NATIONAL_ID if prefix[0] == "1" else IdentityType.RESIDENCE
    assert number.type == expected


@given(prefix=nine_digit_prefixes, last=st.sampled_from("0123456789"))
def test_any_other_last_digit_is_refused_as_a_bad_check_digit(prefix, last):
    if last == luhn_check_digit(prefix):
        return

    error = refusal(prefix + last)

    assert [item.code for item in error.error_list] == ["bad_check_digit"]


@given(prefix=nine_digit_prefixes, position=st.integers(min_value=1, max_value=9))
def test_a_single_mistyped_digit_is_always_caught(prefix, position):
    number = prefix + luhn_check_digit(prefix)
    wrong = str((int(number[position]) + 1) % 10)

    error = refusal(number[:position] + wrong + number[position + 1 :])

    assert [item.code for item in error.error_list] == ["bad_check_digit"]


def test_check_digit_setting_off_accepts_a_failing_check_digit(settings):
    settings.LUMEIRE_IDENTITY_CHECK_DIGIT = False

    assert validate_saudi_identity_number("1000000000") == IdentityNumber(
        "1000000000", IdentityType.NATIONAL_ID
    )


def test_check_digit_setting_off_still_refuses_a_wrong_first_digit(settings):
    settings.LUMEIRE_IDENTITY_CHECK_DIGIT = False

    assert [item.code for item in refusal("3000000000").error_list] == ["wrong_first_digit"]


def test_masked_shows_the_first_digit_and_the_last_three():
    assert IdentityNumber("1058529940", IdentityType.NATIONAL_ID).masked == "1******940"
    assert IdentityNumber("2000000006", IdentityType.RESIDENCE).masked == "2******006"


def test_str_and_repr_show_only_the_masked_number():
    number = IdentityNumber("1058529940", IdentityType.NATIONAL_ID)

    assert str(number) == "1******940"
    assert repr(number) == "IdentityNumber(masked='1******940', type='national_id')"
    assert "1058529940" not in f"{number} {number!r} {[number]}"


def test_identity_number_is_immutable():
    number = IdentityNumber("1058529940", IdentityType.NATIONAL_ID)

    with pytest.raises(dataclasses.FrozenInstanceError):
        number.digits = "2000000006"


def test_identity_number_takes_the_type_by_value():
    assert IdentityNumber("2000000006", "residence").type is IdentityType.RESIDENCE


@pytest.mark.parametrize("digits", ["", "10585299a0", "\N{DEVANAGARI DIGIT ONE}058529940"])
def test_identity_number_refuses_anything_but_ascii_digits(digits):
    with pytest.raises(ValueError, match="ASCII digits"):
        IdentityNumber(digits, IdentityType.NATIONAL_ID)


def accept_any_eight_digits(raw: object) -> IdentityNumber:
    """A stand-in country rule, to show that the configured validator is the one used."""
    digits = normalize_identity_number(raw)
    if len(digits) != 8:
        raise ValidationError("Eight digits.", code="wrong_length")
    return IdentityNumber(digits, IdentityType.RESIDENCE)


def test_parse_uses_the_saudi_rule_by_default():
    assert parse_identity_number("1058529940").type == IdentityType.NATIONAL_ID


def test_parse_uses_the_validator_named_in_settings(settings):
    settings.LUMEIRE_IDENTITY_VALIDATOR = f"{__name__}.accept_any_eight_digits"

    assert parse_identity_number("12345678") == IdentityNumber("12345678", IdentityType.RESIDENCE)
    with pytest.raises(ValidationError, match=r"^\['Eight digits\.'\]$"):
        parse_identity_number("1058529940")


def test_field_validator_follows_the_configured_rule(settings):
    settings.LUMEIRE_IDENTITY_VALIDATOR = f"{__name__}.accept_any_eight_digits"

    assert validate_identity_number("12345678") is None
    with pytest.raises(ValidationError):
        validate_identity_number("1058529940")


class IdentityForm(forms.Form):
    identity_number = forms.CharField(validators=[validate_identity_number])


def test_form_reports_the_refusal_on_the_field_with_its_code():
    form = IdentityForm(data={"identity_number": "1000000000"})

    assert not form.is_valid()
    assert form.has_error("identity_number", "bad_check_digit")
    assert form.errors == {"identity_number": [MESSAGES[IdentityNumberErrorCode.BAD_CHECK_DIGIT]]}


def test_form_accepts_a_valid_number_with_separators():
    form = IdentityForm(data={"identity_number": "105-852-9940"})

    assert form.is_valid()


def test_model_field_runs_the_validator():
    field = models.CharField(max_length=32, validators=[validate_identity_number])

    field.run_validators("1058529940")
    with pytest.raises(ValidationError) as caught:
        field.run_validators("2000000000")
    assert [item.code for item in caught.value.error_list] == ["bad_check_digit"]


def test_field_validator_can_be_written_into_a_migration():
    serialized, imports = serializer_factory(validate_identity_number).serialize()

    assert serialized == "lumeire.core.identity.validate_identity_number"
    assert imports == {"import lumeire.core.identity"}
