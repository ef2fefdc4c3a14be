"""The stylesheet mirrors for Arabic by using logical properties only."""

from __future__ import annotations

import re

from django.contrib.staticfiles import finders

PHYSICAL = re.compile(
    r"\b(?:margin|padding|border)-(?:left|right)\b"
    r"|(?<![-\w])(?:left|right)\s*:"
    r"|\b(?:float|clear|text-align)\s*:\s*(?:left|right)\b",
)


def _stylesheet() -> str:
    path = finders.find("storefront/site.css")
    assert path, "storefront/site.css must be a static file"
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def test_stylesheet_uses_no_left_or_right_so_arabic_mirrors():
    assert PHYSICAL.findall(_stylesheet()) == []


def test_stylesheet_loads_no_external_fonts_or_resources():
    css = _stylesheet()

    assert "@import" not in css
    assert "url(" not in css


def test_stylesheet_names_an_arabic_font_first_for_arabic_text():
    css = _stylesheet()

    assert re.search(r'--font-arabic:\s*"Noto Sans Arabic"', css)
    assert "body:lang(ar)" in css
