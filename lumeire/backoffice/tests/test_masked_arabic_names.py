"""A masked Arabic name reads in order on an English back office page: its mask is isolated."""

from __future__ import annotations

import unicodedata

import pytest

from lumeire.accounts.tests.factories import make_customer
from lumeire.backoffice.masking import FSI, PDI, mask_text
from lumeire.backoffice.tests.factories import make_staff, signed_in
from lumeire.staff.access import GROUP_OF_ROLE
from lumeire.staff.roles import Role

CUSTOMERS = "/backoffice/accounts/customer/"
ARABIC_MASK = f"{FSI}ع*** ا***{PDI}"


def test_an_arabic_mask_is_a_first_strong_isolate_and_a_latin_one_is_unchanged():
    masked = mask_text("عائشة الحربي")
    assert masked == ARABIC_MASK
    # The isolate's first strong letter is Arabic: the stars follow each letter leftwards.
    inner = masked[1:-1]
    first_strong = next(c for c in inner if unicodedata.bidirectional(c) in ("L", "R", "AL"))
    assert unicodedata.bidirectional(first_strong) == "AL"
    # The mask character is a neutral that is never mirrored (as brackets would be).
    assert unicodedata.bidirectional("*") == "ON" and not unicodedata.mirrored("*")
    assert mask_text("Aisha Al-Harbi") == "A*** A***"
    assert mask_text("عائشة Smith") == f"{FSI}ع*** S***{PDI}"


@pytest.mark.django_db
def test_the_customer_list_and_page_show_the_arabic_mask_isolated():
    customer = make_customer(full_name="عائشة الحربي")
    client = signed_in(make_staff(groups=[GROUP_OF_ROLE[Role.CUSTOMER_SERVICE]]))

    listed = client.get(CUSTOMERS).content.decode()
    page = client.get(f"{CUSTOMERS}{customer.pk}/change/").content.decode()

    assert ARABIC_MASK in listed
    assert ARABIC_MASK in page
    assert "عائشة" not in listed + page
