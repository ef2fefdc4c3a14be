"""The storefront's pages: language, direction, landmarks and the rules of the CSP."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from lumeire.core.tests.markup import parse

PAGES = ["/en/", "/ar/", "/en/privacy/", "/ar/privacy/", "/en/no-such-page/", "/ar/no-such-page/"]

# A script element needs a src, except a JSON-LD data block, which browsers never run.
INLINE_SCRIPT = re.compile(
    r"<script\b(?![^>]*\bsrc\s*=)(?![^>]*\btype=\"application/ld\+json\")[^>]*>", re.IGNORECASE
)
STYLE_ATTRIBUTE = re.compile(r"<[^>]+\sstyle\s*=", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style\b", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)


def _html(client: Client, url: str, **headers: str) -> str:
    return client.get(url, headers=headers).content.decode()


@pytest.mark.django_db
def test_home_page_in_english_is_left_to_right(client):
    response = client.get("/en/")

    assert response.status_code == 200
    html = parse(response.content.decode()).find_all("html")[0]
    assert html.attrs == {"lang": "en", "dir": "ltr"}
    assert "Welcome to Lumeire" in response.content.decode()


@pytest.mark.django_db
def test_home_page_in_arabic_is_right_to_left(client):
    response = client.get("/ar/")

    assert response.status_code == 200
    body = response.content.decode()
    html = parse(body).find_all("html")[0]
    assert html.attrs == {"lang": "ar", "dir": "rtl"}
    assert "مرحبًا بك في Lumeire" in body
    assert "Welcome to" not in body


@pytest.mark.django_db
def test_root_follows_the_browser_language_when_the_visitor_has_not_chosen(client):
    arabic = client.get("/", headers={"accept-language": "ar,en;q=0.5"})
    english = client.get("/", headers={"accept-language": "en-GB,en;q=0.9"})
    other = client.get("/", headers={"accept-language": "fr"})

    assert (arabic.status_code, arabic["Location"]) == (302, "/ar/")
    assert (english.status_code, english["Location"]) == (302, "/en/")
    assert (other.status_code, other["Location"]) == (302, "/en/")


@pytest.mark.django_db
def test_privacy_page_sets_out_four_sections_in_both_languages(client):
    for url, headings in [
        ("/en/privacy/", ["First:", "Second:", "Third:", "Fourth:"]),
        ("/ar/privacy/", ["أولًا:", "ثانيًا:", "ثالثًا:", "رابعًا:"]),
    ]:
        response = client.get(url)
        assert response.status_code == 200
        sections = parse(response.content.decode()).find_all("section")
        assert [section.attrs.get("id") for section in sections] == [
            "first",
            "second",
            "third",
            "fourth",
        ]
        assert [section.find_all("h2")[0].text.split()[0] for section in sections] == headings


@pytest.mark.django_db
def test_privacy_page_speaks_arabic_without_english_left_over(client):
    body = client.get("/ar/privacy/").content.decode()

    assert "سياسة الخصوصية وسرية المعلومات" in body
    assert "national ID" not in body
    assert "Privacy and confidentiality policy" not in body


@pytest.mark.django_db
@pytest.mark.parametrize("url", PAGES)
def test_every_page_has_a_skip_link_landmarks_and_a_one_button_language_switch(client, url):
    document = parse(_html(client, url))

    first_link = document.find_all("a")[0]
    assert first_link.attrs["href"] == "#main"
    assert first_link.attrs["class"] == "skip-link"
    mains = document.find_all("main")
    assert [main.attrs["id"] for main in mains] == ["main"]
    assert len(document.find_all("header")) >= 1
    assert len(document.find_all("footer")) == 1
    assert all(
        nav.attrs.get("aria-label") or nav.attrs.get("aria-labelledby")
        for nav in document.find_all("nav")
    )
    # The switch is one button named in the other language, marked as that language.
    assert document.find_all("select") == []
    switch = [f for f in document.find_all("form") if f.attrs.get("class") == "language-switch"]
    buttons = switch[0].find_all("button")
    assert len(buttons) == 1 and buttons[0].attrs["lang"] in {"en", "ar"}
    assert buttons[0].text.strip() in {"English", "العربية"}


@pytest.mark.django_db
@pytest.mark.parametrize("url", PAGES)
def test_footer_links_to_the_privacy_policy_in_the_page_language(client, url):
    language = url.split("/")[1]
    footer = parse(_html(client, url)).find_all("footer")[0]

    assert f"/{language}/privacy/" in [link.attrs["href"] for link in footer.find_all("a")]


@pytest.mark.django_db
def test_the_current_page_is_marked_in_the_menu(client):
    nav = parse(_html(client, "/en/privacy/")).find_all("nav")[0]

    current = [link for link in nav.find_all("a") if link.attrs.get("aria-current") == "page"]
    assert [link.attrs["href"] for link in current] == ["/en/privacy/"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", PAGES)
def test_every_post_form_carries_a_csrf_token(client, url):
    forms = parse(_html(client, url)).find_all("form")
    post_forms = [form for form in forms if form.attrs.get("method", "").lower() == "post"]

    assert post_forms, "the language switch is a POST form on every page"
    for form in post_forms:
        names = [field.attrs.get("name") for field in form.find_all("input")]
        assert "csrfmiddlewaretoken" in names


@pytest.mark.django_db
@pytest.mark.parametrize("url", PAGES)
def test_pages_have_no_inline_script_or_style_for_the_strict_csp(client, url):
    body = _html(client, url)

    assert not INLINE_SCRIPT.search(body)
    assert not STYLE_ATTRIBUTE.search(body)
    assert not STYLE_ELEMENT.search(body)
    assert not EVENT_HANDLER.search(body)


@pytest.mark.parametrize(
    ("markup", "inline"),
    [
        ('<script src="/static/storefront/shop.js" defer></script>', False),
        ('<script type="application/ld+json">{"@type":"Product"}</script>', False),
        ("<script>alert(1)</script>", True),
        ('<script type="text/javascript">alert(1)</script>', True),
        ('<script type="application/json">{}</script>', True),
    ],
)
def test_only_scripts_from_files_and_json_ld_data_blocks_are_allowed(markup, inline):
    assert bool(INLINE_SCRIPT.search(markup)) is inline


@pytest.mark.django_db
@pytest.mark.parametrize("url", PAGES)
def test_every_page_loads_the_site_stylesheet_from_its_own_origin(client, url):
    links = parse(_html(client, url)).find_all("link")

    stylesheets = [link.attrs["href"] for link in links if link.attrs.get("rel") == "stylesheet"]
    assert stylesheets == ["/static/storefront/site.css"]


@pytest.mark.django_db
def test_pages_declare_their_other_language_for_search_engines(client):
    links = parse(_html(client, "/en/privacy/")).find_all("link")

    alternates = {
        link.attrs["hreflang"]: link.attrs["href"]
        for link in links
        if link.attrs.get("rel") == "alternate"
    }
    assert alternates == {"en": "/en/privacy/", "ar": "/ar/privacy/"}


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/en/", "/ar/privacy/"])
def test_pages_describe_themselves_to_search_engines(client, url):
    metas = parse(_html(client, url)).find_all("meta")

    descriptions = [
        meta.attrs["content"] for meta in metas if meta.attrs.get("name") == "description"
    ]
    assert len(descriptions) == 1
    assert "Lumeire" in descriptions[0]
