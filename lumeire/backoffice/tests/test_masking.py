"""Masks keep a first letter or the last digits, never the length of what they hide."""

from __future__ import annotations

import pytest

from lumeire.backoffice.masking import mask_phone, mask_text
from lumeire.vault.fields import ERASED


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("Aisha Al-Harbi", "A*** A***"),
        ("A", "A***"),
        ("  Haya   Al Qahtani ", "H*** A*** Q***"),
        ("عائشة الحربي", "ع*** ا***"),
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


def test_an_erased_value_reads_as_erased_not_as_a_mask():
    assert mask_text(ERASED) == "[erased]"
    assert mask_phone(ERASED) == "[erased]"
