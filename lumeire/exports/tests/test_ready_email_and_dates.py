"""An export tells its customer when it is ready, and its index.html reads as people write."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

from lumeire.accounts.tests.factories import make_customer
from lumeire.exports.services import export_download, export_request
from lumeire.exports.tests.helpers import full_customer, read_zip

pytestmark = pytest.mark.django_db

ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


@pytest.mark.parametrize(
    ("language", "subject"),
    [
        ("en", "Your copy of your data at Lumeire is ready"),
        ("ar", "نسخة بياناتك لدى Lumeire جاهزة"),
    ],
)
def test_a_ready_export_emails_its_customer_in_the_accounts_language(
    language, subject, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.LUMEIRE_STORE_NAME = "Lumeire"
    customer = make_customer(language=language, full_name="Haya Al-Qahtani")
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        export_request(actor=customer, language="en")  # asked from the English page

    with translation.override(language):
        path = reverse("storefront:exports")  # the exports page, in the account's language
    [email] = mailoutbox
    assert email.to == [customer.email]
    assert email.subject == subject
    assert path.startswith(f"/{language}/") and path in email.body
    # Nothing personal: no name, no address, no file link (the file is reached signed in).
    for personal in ("Haya", "Qahtani", customer.email, "/file"):
        assert personal not in email.body


def test_the_index_shows_human_dates_and_country_names_in_the_exports_language():
    customer, _order = full_customer(language="ar")
    export = export_request(actor=customer, language="ar")
    data, _, html = read_zip(b"".join(export_download(actor=customer, export_id=export.pk).chunks))

    assert ISO_MOMENT.search(data["generated_at"])  # data.json keeps machine-readable times
    assert not ISO_MOMENT.search(html), ISO_MOMENT.search(html)
    months = ("يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر")
    months += ("أكتوبر", "نوفمبر", "ديسمبر")
    assert any(month in html for month in months)
    assert "المملكة العربية السعودية" in html
    assert ", SA<" not in html and "SAR" not in html
    assert "ر.س" in html


def test_an_english_index_names_the_country_and_writes_the_date_in_words():
    customer, _order = full_customer(language="en")
    export = export_request(actor=customer, language="en")
    _data, _, html = read_zip(b"".join(export_download(actor=customer, export_id=export.pk).chunks))

    assert "Saudi Arabia" in html and ", SA<" not in html
    assert not ISO_MOMENT.search(html)
    assert re.search(r"Prepared on \d{1,2} [A-Z][a-z]+ \d{4}, \d{2}:\d{2}\.", html)
