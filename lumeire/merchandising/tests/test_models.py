"""A banner links inside the store only, keeps its schedule in order, and has a button exactly
when it has a link."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from lumeire.catalog.tests.factories import make_category
from lumeire.merchandising.models import Banner, store_path

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("/search/?q=oud", "/search/?q=oud"),
        ("  /c/perfume/  ", "/c/perfume/"),
        ("/en/c/perfume/", "/c/perfume/"),
        ("/ar/search/?q=عود", "/search/?q=عود"),
        ("/ar", "/"),
        ("/", "/"),
    ],
)
def test_a_path_of_the_store_is_kept_without_its_language(typed, kept):
    assert store_path(typed) == kept


@pytest.mark.parametrize(
    "typed",
    [
        "https://evil.example/sale",
        "http://lumeire.example/en/",
        "//evil.example/en/",
        "/\\evil.example",
        "javascript:alert(1)",
        "mailto:someone@example.com",
        "search/?q=oud",
        "/en/c/perfume/ x",
        "/en/\x00",
    ],
)
def test_another_site_or_a_scheme_is_refused(typed):
    with pytest.raises(ValidationError) as refused:
        store_path(typed)
    assert refused.value.code == "external_link"


@pytest.mark.parametrize("typed", ["/no-such-page/", "/backoffice/", "/api/v1/catalog/products"])
def test_a_path_outside_the_storefront_is_refused(typed):
    with pytest.raises(ValidationError) as refused:
        store_path(typed)
    assert refused.value.code == "unknown_path"


def _banner(**values) -> Banner:
    return Banner(headline_en="Oud", headline_ar="عود", alt_en="a", alt_ar="ب", **values)


def _errors(banner: Banner) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as refused:
        banner.clean()
    return refused.value.message_dict


def test_an_end_before_the_start_is_refused_on_the_end():
    start = timezone.now()
    errors = _errors(_banner(starts_at=start, ends_at=start - timedelta(hours=1)))
    assert errors == {"ends_at": ["The end must come after the start."]}
    assert _errors(_banner(starts_at=start, ends_at=start))["ends_at"]


def test_two_links_at_once_are_refused():
    category = make_category("perfume")
    errors = _errors(
        _banner(link_category=category, link_path="/search/", button_en="Go", button_ar="اذهب")
    )
    assert errors == {
        "link_path": ["Choose one link: a category, a product or a path of the store."]
    }


def test_a_link_needs_a_button_in_both_languages_and_a_button_needs_a_link():
    assert _errors(_banner(link_path="/search/", button_en="Go"))["button_en"] == [
        "Write the button's label in English and in Arabic."
    ]
    assert _errors(_banner(button_en="Go", button_ar="اذهب"))["button_en"] == [
        "A button needs a link: choose a category, a product or a path."
    ]


def test_an_external_link_is_refused_in_arabic_too():
    with translation.override("ar"):
        errors = _errors(_banner(link_path="https://evil.example", button_en="a", button_ar="ب"))
    assert errors["link_path"] == [
        "اربط بصفحة من صفحات هذا المتجر فقط: مسار مثل /search/?q=oud، دون عنوان موقع آخر."
    ]


def test_a_clean_banner_keeps_its_path_without_the_language():
    banner = _banner(link_path="/ar/search/?q=oud", button_en="Find oud", button_ar="ابحث")
    banner.clean()
    assert banner.link_path == "/search/?q=oud"


def test_the_link_follows_the_language_and_a_hidden_target_gives_no_link():
    category = make_category("perfume")
    banner = _banner(link_category=category)
    with translation.override("ar"):
        assert banner.url == "/ar/c/perfume/"
    banner = _banner(link_path="/search/?q=oud")
    with translation.override("en"):
        assert banner.url == "/en/search/?q=oud"
    hidden = make_category("hidden", is_active=False)
    assert _banner(link_category=hidden).url is None
    assert _banner().url is None
