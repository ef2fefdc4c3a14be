"""Template helpers for the language switch: where each language's copy of this page lives."""

from __future__ import annotations

from dataclasses import dataclass

from django import template
from django.conf import settings
from django.conf.locale import LANG_INFO
from django.http import HttpRequest
from django.urls import reverse, translate_url
from django.utils import translation

register = template.Library()

# Django spells Arabic with a shadda (العربيّة); the store's own menus use the everyday spelling.
_LOCAL_NAMES = {"ar": "العربية"}


@dataclass(frozen=True)
class LanguageChoice:
    code: str
    name_local: str
    url: str
    is_current: bool


def _home_in(language: str) -> str:
    with translation.override(language):
        return reverse("storefront:home")


def page_in_language(request: HttpRequest | None, language: str) -> str:
    """Return this page's address in ``language``, so a switch lands on the same page.

    A page the URLconf knows is reversed in the other language; an unknown page under a language
    prefix (a 404) keeps its path with the prefix swapped; anything else goes to that language's
    home page.
    """
    if request is None:
        return _home_in(language)
    path = request.get_full_path()
    translated = translate_url(path, language)
    if translated != path:
        return translated
    current = translation.get_language() or settings.LANGUAGE_CODE
    prefix = f"/{current}/"
    if current == language:
        return path
    if path.startswith(prefix):
        return f"/{language}/{path.removeprefix(prefix)}"
    return _home_in(language)


@register.simple_tag(takes_context=True)
def language_choices(context: template.Context) -> list[LanguageChoice]:
    """List every language of the store with this page's address in it."""
    request = context.get("request")
    current = translation.get_language() or settings.LANGUAGE_CODE
    choices = []
    for code, _name in settings.LANGUAGES:
        name_local = _LOCAL_NAMES.get(code) or LANG_INFO.get(code, {}).get("name_local", code)
        choices.append(
            LanguageChoice(
                code=code,
                name_local=name_local,
                url=page_in_language(request, code),
                is_current=code == current,
            )
        )
    return choices


@register.simple_tag
def switch_target(choices: list[LanguageChoice]) -> LanguageChoice | None:
    """Pick the language the switch offers: the first one that is not the current one."""
    return next((choice for choice in choices if not choice.is_current), None)


@dataclass(frozen=True)
class SeoLinks:
    canonical: str
    alternates: list[tuple[str, str]]
    x_default: str


def _absolute(path: str) -> str:
    return settings.LUMEIRE_SITE_URL.rstrip("/") + path


@register.simple_tag
def seo_links(canonical_path: str) -> SeoLinks:
    """The page's canonical address and its copy in every language, absolute, from the site's
    configured address (never the request's Host header)."""
    alternates = [
        (code, _absolute(translate_url(canonical_path, code))) for code, _name in settings.LANGUAGES
    ]
    # Without a language prefix the store picks the visitor's language, as x-default means
    # (and as the sitemap's x-default is written).
    current = translation.get_language() or settings.LANGUAGE_CODE
    default = canonical_path.replace(f"/{current}/", "/", 1)
    return SeoLinks(_absolute(canonical_path), alternates, _absolute(default))
