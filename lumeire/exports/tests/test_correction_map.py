"""The right to rectification, checked against the export itself.

For a customer with data in every section, each top-level section of ``data.json`` and each
field of its profile must be either changed on a page of My account (the URL name resolves and
the page answers 200 to the signed-in customer) or explained: index.html, and the page of My
account that shows the record, carry the sentence saying why it is not changed and how a mistake
is put right. A section added to the export without an entry in ``exports/corrections.py`` fails
here.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.html import escape

from lumeire.accounts.tests.factories import PASSWORD
from lumeire.exports.content import collect, render_zip
from lumeire.exports.corrections import ABOUT_THE_FILE, PROFILE_FIELDS, SECTIONS, Correction
from lumeire.exports.tests.helpers import full_customer, read_zip, staff_reveal_of
from lumeire.privacy.cookies import OPTIONAL_CATEGORY_CODES
from lumeire.privacy.erasure import erasure_request
from lumeire.privacy.models import ConsentMethod
from lumeire.privacy.services import consent_record

pytestmark = pytest.mark.django_db

SECTION_NOTE = re.compile(r'<p class="correction" data-correction="([a-z_]+)">(.*?)</p>', re.S)
FIELD_NOTE = re.compile(r'<td class="muted" data-correction="profile\.([a-z_]+)">(.*?)</td>', re.S)


def _export(customer, language: str) -> tuple[dict[str, Any], str]:
    data, _, html = read_zip(render_zip(collect(customer, language)))
    return data, html


@pytest.fixture
def everything():
    """A customer with data in every section, signed in, and their export in English."""
    customer, _order = full_customer()
    client = Client()
    signed_in = client.post(
        "/en/account/sign-in/", {"login": customer.username, "password": PASSWORD}
    )
    assert signed_in.status_code == 302
    staff_reveal_of(customer)
    consent_record(
        actor=customer, categories=set(OPTIONAL_CATEGORY_CODES), method=ConsentMethod.SETTINGS
    )
    erasure_request(actor=customer, password=PASSWORD)
    data, html = _export(customer, "en")
    return customer, client, data, html


def _check(
    key: str, correction: Correction | None, shown: dict[str, str], client: Client
) -> list[str]:
    """What is wrong with one part's correction: no entry, no page, no pointer or no reason."""
    if correction is None:
        return [f"{key}: no entry in exports/corrections.py (an edit page or a reason)"]
    try:
        path = reverse(correction.page)
    except NoReverseMatch:
        return [f"{key}: {correction.page} is not a page of the store"]
    problems = []
    pointer = shown.get(key)
    if pointer is None or path not in pointer:
        problems.append(f"{key}: index.html does not point to {path}")
    page = client.get(path)
    if page.status_code != 200:
        problems.append(f"{key}: {path} answers {page.status_code}")
    if not correction.editable:
        note = escape(str(correction.note))
        if pointer is None or note not in pointer:
            problems.append(f"{key}: index.html does not say why it is not changed")
        if key in SECTIONS and note not in page.content.decode():
            problems.append(f"{key}: {path} does not say why it is not changed")
    return problems


def uncorrected(data: dict[str, Any], html: str, client: Client) -> list[str]:
    """Every section and profile field of an export without a way to correct it or a reason."""
    sections = dict(SECTION_NOTE.findall(html))
    fields = dict(FIELD_NOTE.findall(html))
    problems = []
    with translation.override("en"):
        for key in sorted(set(data) - ABOUT_THE_FILE):
            problems += _check(key, SECTIONS.get(key), sections, client)
        for key in sorted(data["profile"]):
            problems += _check(key, PROFILE_FIELDS.get(key), fields, client)
    return problems


def test_the_customer_has_data_in_every_section(everything):
    _customer, _client, data, _html = everything

    assert set(data) >= ABOUT_THE_FILE
    empty = [key for key in set(data) - ABOUT_THE_FILE if not data[key]]
    assert empty == [], "the fixture must fill every section"


def test_every_section_and_profile_field_is_corrected_in_my_account_or_explained(everything):
    _customer, client, data, html = everything

    assert uncorrected(data, html, client) == []


def test_a_section_added_without_an_edit_page_or_a_reason_fails(everything):
    _customer, client, data, html = everything
    data = {**data, "wishlist": [{"sku": "LUM-1"}], "profile": {**data["profile"], "nickname": ""}}

    problems = uncorrected(data, html, client)

    assert problems == [
        "wishlist: no entry in exports/corrections.py (an edit page or a reason)",
        "nickname: no entry in exports/corrections.py (an edit page or a reason)",
    ]


def test_editable_sections_point_to_pages_that_change_them_and_records_carry_a_reason():
    editable = {key for key, correction in SECTIONS.items() if correction.editable}
    records = {key for key, correction in SECTIONS.items() if not correction.editable}

    assert editable == {"profile", "addresses", "consents"}
    assert {"orders", "payment_attempts", "policy_acceptances", "sign_in_history"} <= records
    assert {"access_log", "privacy_requests", "categories"} <= records
    assert all(SECTIONS[key].note for key in records)
    with pytest.raises(ValueError, match="must say why"):
        Correction(SECTIONS["orders"].title, "storefront:orders", SECTIONS["orders"].where, False)


def test_the_arabic_export_explains_each_record_in_arabic(everything):
    customer, _client, _data, _ = everything
    _, html = _export(customer, "ar")
    sections = dict(SECTION_NOTE.findall(html))

    for key, correction in SECTIONS.items():
        with translation.override("ar"):
            path = reverse(correction.page)
            note = str(correction.note) if correction.note else ""
        assert path.startswith("/ar/") and path in sections[key], key
        if note:
            assert any("\u0600" <= ch <= "\u06ff" for ch in note), (key, note)
            assert escape(note) in sections[key], key
    assert "http://" not in html and "https://" not in html
