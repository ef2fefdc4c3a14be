"""Every word the store generates for its privacy policy reads in the visitor's language.

The Arabic policy and cookie settings page carry no English beyond the names of technical
standards, the store's own name and the cookies' names (what a browser shows). Stored fields
are named for what they hold, never by their model. The identity number is named as the
policy's first clause names it, and the session cookie's lifetime reads the same on both
pages, from the settings.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from lumeire.core.tests.markup import parse
from lumeire.privacy import policy as policy_module
from lumeire.privacy.cookies import cookie_spec, registry
from lumeire.privacy.models import PolicyVersion
from lumeire.privacy.policy import rendered_sections
from lumeire.vault.inventory import inventory

pytestmark = pytest.mark.django_db

# Names of standards and protocols: written the same in Arabic technical text, and the words a
# reader would search for. Currency codes are not here: Arabic text writes "ر.س", not "SAR".
TECHNICAL_NAMES = {"AES-256-GCM", "Argon2id", "HMAC", "SHA-256", "HTTPS", "HSTS"}
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
ADDRESS = re.compile(r"(?<!\S)/[A-Za-z0-9_/-]*")  # the policy's own address, "/ar/privacy/"
COLUMN_NAMES = (
    "Identity index",
    "Username index",
    "Email index",
    "Login ref",
    "Client ref",
    "Index ref",
    "Client hash",
    "Card token",
    "Password hash",
    "Recovery answer hash",
    "Legal summary",
    "Legal opinion",
    "Secret",
    "Text",
    "Sealed",
)
FIRST_CLAUSE_WORDS = {
    "en": "national ID number or residence number (iqama)",
    "ar": "رقم الهوية الوطنية أو رقم الإقامة",
}


@pytest.fixture(autouse=True)
def _only_the_store_models(monkeypatch):
    """The policy as a shop sees it: without the models of the test-only sample app."""
    store = [entry for entry in inventory() if ".tests." not in entry.model.__module__]
    monkeypatch.setattr(policy_module, "inventory", lambda: store)


def english_words(text: str) -> list[str]:
    allowed = TECHNICAL_NAMES | {settings.LUMEIRE_STORE_NAME} | {s.name for s in registry()}
    words = LATIN_WORD.findall(ADDRESS.sub(" ", text))
    return sorted({word for word in words if word not in allowed})


def main_text(client: Client, address: str) -> str:
    response = client.get(address)
    assert response.status_code == 200
    return parse(response.content.decode()).find_all("main")[0].text


def generated_text(language: str) -> str:
    policy = PolicyVersion.objects.get(version=1)
    return "\n".join(s["body"] for s in rendered_sections(policy, language))


@pytest.mark.parametrize("address", ["/ar/privacy/", "/ar/privacy/cookies/"])
def test_the_arabic_policy_pages_have_no_english_word_but_technical_names(client, address):
    assert english_words(main_text(client, address)) == []


def test_every_generated_part_is_arabic_whatever_the_settings_turn_on(settings):
    # HTTPS and HSTS are claimed only when configured: turn everything on.
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    text = generated_text("ar")

    assert "HSTS" in text
    assert english_words(text) == []


@pytest.mark.parametrize("language", ["en", "ar"])
def test_stored_fields_are_named_for_what_they_hold_never_by_their_model(language):
    text = generated_text(language)

    for entry in inventory():
        for name in {entry.model._meta.verbose_name, entry.model._meta.model_name}:
            assert f"({name}," not in text and f"({name}،" not in text, entry.label
    for column in COLUMN_NAMES:  # what the policy said before the fields had names
        assert not re.search(rf"(^- |, | and ){column}(:|,| and )", text, re.M | re.I), column


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_identity_number_is_named_as_the_first_clause_names_it(language):
    text = generated_text(language)
    names = [line.split(":")[0] for line in text.splitlines() if line.startswith("- ")]
    words = FIRST_CLAUSE_WORDS[language].lower()

    assert any(words in name.lower() for name in names)
    if language == "en":
        assert not any("identity number" in name.lower() for name in names)
    else:  # "رقم الهوية" alone is the store's old name: always followed by the clause's words
        assert all(name.count("رقم الهوية") == name.count(words) for name in names)


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_session_cookie_lasts_as_long_on_the_policy_as_on_the_cookie_page(client, language):
    with translation.override(language):
        lifetime = cookie_spec(settings.SESSION_COOKIE_NAME).lifetime_text

    policy = main_text(client, f"/{language}/privacy/")
    cookies = main_text(client, f"/{language}/privacy/cookies/")

    assert lifetime in policy
    assert lifetime[:1].upper() + lifetime[1:] in cookies or lifetime in cookies
    if language == "en":
        # SESSION_COOKIE_AGE, the absolute limit and "remember me", as configured.
        assert lifetime == (
            "30 minutes without activity (12 hours at most), or 30 days if you choose "
            "“Keep me signed in on this device”"
        )
        assert "1 hour" not in policy


def test_the_session_lifetime_follows_the_settings_on_both_pages(client, settings):
    settings.SESSION_COOKIE_AGE = 20 * 60
    settings.LUMEIRE_SESSION_ABSOLUTE_LIFETIME = timedelta(hours=8)
    settings.LUMEIRE_REMEMBER_ME_LIFETIME = timedelta(days=14)
    expected = "20 minutes without activity (8 hours at most), or 14 days"

    assert expected in main_text(client, "/en/privacy/")
    assert expected in main_text(client, "/en/privacy/cookies/")
