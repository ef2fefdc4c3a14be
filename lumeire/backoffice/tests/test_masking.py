"""Masks keep a first letter or the last digits, never the length of what they hide."""

from __future__ import annotations

from datetime import date

import pytest

from lumeire.backoffice.masking import (
    age_band,
    mask_email,
    mask_identity_number,
    mask_phone,
    mask_text,
)
from lumeire.vault.fields import ERASED


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("Aisha Al-Harbi", "A*** A***"),
        ("A", "A***"),
        ("  Haya   Al Qahtani ", "H*** A*** Q***"),
        ("عائشة الحربي", "\u2068ع*** ا***\u2069"),
        ("12211", "1***"),
        ("", ""),
        (None, ""),
    ],
)
def test_text_is_masked_word_by_word(value, masked):
    assert mask_text(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("+966501234567", "+966 5** *** *67"),
        ("+4915112345678", "+49** *** *78"),
        ("+1234", "***"),
        ("", ""),
    ],
)
def test_phones_keep_only_their_start_and_last_two_digits(value, masked):
    assert mask_phone(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("aisha@example.com", "a***@example.com"),
        ("  Mohammed.Al-Harbi@mail.example.sa ", "M***@mail.example.sa"),
        ("a@b.co", "a***@b.co"),
        ("not an email", "n*** a*** e***"),
        ("", ""),
    ],
)
def test_emails_keep_their_first_letter_and_domain(value, masked):
    assert mask_email(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("1234567897", "1*********"),
        ("2000000008", "2*********"),
        ("12", "1*********"),
        ("x", "*********"),
        ("", ""),
    ],
)
def test_identity_numbers_keep_only_their_first_digit(value, masked):
    assert mask_identity_number(value) == masked


def test_two_identity_numbers_of_one_type_mask_alike_so_a_search_cannot_tell_them_apart():
    """The mask leaves nothing to check a guessed number against: only its type shows."""
    assert mask_identity_number("1000077881") == mask_identity_number("1999999999")


@pytest.mark.parametrize(
    ("born", "band"),
    [
        (date(1990, 5, 17), "aged 30–39"),
        (date(1986, 5, 17), "aged 40–49"),  # forty today
        (date(1986, 5, 18), "aged 30–39"),  # forty tomorrow
        (date(2008, 1, 1), "aged 10–19"),
    ],
)
def test_a_date_of_birth_shows_as_a_ten_year_band(born, band):
    assert age_band(born, today=date(2026, 5, 17)) == band


def test_an_erased_value_reads_as_erased_not_as_a_mask():
    assert mask_text(ERASED) == "[erased]"
    assert mask_phone(ERASED) == "[erased]"
    assert mask_email(ERASED) == "[erased]"
    assert mask_identity_number(ERASED) == "[erased]"
    assert age_band(ERASED) == "[erased]"
