"""Addresses that carry a secret, found in the URLconf itself, so logs can mask them.

A URL parameter carries a secret when its converter is :class:`SecretTokenConverter`
(``<token:name>``) or its name says so (``token``, ``uidb64``, ``*_secret``...). Every route
with one yields a mask: a pattern that finds the secret segment in a path. A mask matches its
whole segment whatever it holds, so a mistyped or altered link (which the route itself would
not match, and which ends in a 404) is masked too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import LocalePrefixPattern, RegexPattern, RoutePattern

MASK = "[secret]"
SECRET_CONVERTER = "token"  # noqa: S105 - a converter name; registered by lumeire.core.apps
SECRET_PARAMETER_NAMES = frozenset(
    {"token", "secret", "key", "signature", "uidb64", "code", "otp", "password"}
)
_SECRET_SUFFIXES = ("_token", "_secret", "_key", "_signature", "_code")
# How Django writes a parameter in a route: <converter:name> or <name>.
_ROUTE_PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<parameter>[^>]+)>")
_REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>")


class SecretTokenConverter:
    """``<token:name>``: a one-time secret from an emailed link (letters, digits, - and _)."""

    regex = "[A-Za-z0-9_-]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


def is_secret_parameter(name: str, converter: object = None) -> bool:
    """Whether a URL parameter of this name (and converter) carries a secret."""
    if isinstance(converter, SecretTokenConverter):
        return True
    lowered = name.lower()
    return lowered in SECRET_PARAMETER_NAMES or lowered.endswith(_SECRET_SUFFIXES)


def route_carries_secret(route: str) -> bool:
    """Whether a matched route (``ResolverMatch.route``) has a secret parameter."""
    for match in _ROUTE_PARAMETER.finditer(route):
        if match["converter"] == SECRET_CONVERTER or is_secret_parameter(match["parameter"]):
            return True
    return any(is_secret_parameter(match["name"]) for match in _REGEX_GROUP.finditer(route))


@dataclass(frozen=True)
class SecretRoute:
    """One route that carries a secret: how it reads, and the mask that finds its secrets."""

    route: str  # the route as written, language prefix shown as <language>/
    parameters: tuple[str, ...]  # the names of its secret parameters
    mask: re.Pattern[str]


# A route becomes a list of regex pieces; a piece is (regex, is the secret segment).
Pieces = list[tuple[str, bool]]


def _language_prefix() -> tuple[str, Pieces]:
    codes = "|".join(re.escape(code) for code, _name in settings.LANGUAGES)
    return "<language>/", [(f"(?:(?:{codes})/)?", False)]


def _route_part(pattern: RoutePattern) -> tuple[str, Pieces]:
    route = str(pattern._route)
    pieces: Pieces = []
    position = 0
    for match in _ROUTE_PARAMETER.finditer(route):
        pieces.append((re.escape(route[position : match.start()]), False))
        name = match["parameter"]
        converter = pattern.converters.get(name)
        if is_secret_parameter(name, converter):
            pieces.append((name, True))
        else:
            pieces.append((f"(?:{getattr(converter, 'regex', '[^/]+')})", False))
        position = match.end()
    pieces.append((re.escape(route[position:]), False))
    return route, pieces


def _regex_part(pattern: RegexPattern) -> tuple[str, Pieces]:
    source = str(pattern._regex).removeprefix("^").removesuffix("$").removesuffix(r"\Z")
    pieces: Pieces = []
    position = 0
    for match in _REGEX_GROUP.finditer(source):
        if is_secret_parameter(match["name"]):
            pieces.append((_REGEX_GROUP.sub("(?:", source[position : match.start()]), False))
            pieces.append((match["name"], True))
            position = _group_end(source, match.end())
    pieces.append((_REGEX_GROUP.sub("(?:", source[position:]), False))
    return source, pieces


def _group_end(source: str, start: int) -> int:
    depth, index = 1, start
    while index < len(source) and depth:
        char = source[index]
        if char == "\\":
            index += 1
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        index += 1
    return index


def _part(pattern: object) -> tuple[str, Pieces]:
    if isinstance(pattern, LocalePrefixPattern):
        return _language_prefix()
    if isinstance(pattern, RoutePattern):
        return _route_part(pattern)
    if isinstance(pattern, RegexPattern):
        return _regex_part(pattern)
    text = str(pattern)
    return text, [(re.escape(text), False)]


def _mask_of(pieces: Pieces) -> re.Pattern[str]:
    # Up to the last secret segment only: a link cut short, missing its final slash or with
    # more segments after it still has its secret found.
    last = max(index for index, (_text, secret) in enumerate(pieces) if secret)
    regex, count = [], 0
    for text, secret in pieces[: last + 1]:
        if secret:
            count += 1
            regex.append(f"(?P<secret{count}>[^/?#]*)")
        else:
            regex.append(text)
    return re.compile("^/" + "".join(regex))


def _walk(patterns, route: str, pieces: Pieces):
    for entry in patterns:
        text, part = _part(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, route + text, pieces + part)
        elif isinstance(entry, URLPattern) and any(secret for _text, secret in pieces + part):
            yield SecretRoute(
                route=route + text,
                parameters=tuple(text for text, secret in pieces + part if secret),
                mask=_mask_of(pieces + part),
            )


@lru_cache(maxsize=8)
def _secret_routes(urlconf: str) -> tuple[SecretRoute, ...]:
    routes = _walk(get_resolver(urlconf).url_patterns, "", [])
    return tuple({route.mask.pattern: route for route in routes}.values())


def secret_routes(urlconf: str | None = None) -> tuple[SecretRoute, ...]:
    """Every route of the URLconf (the store's own by default) that carries a secret in its path."""
    return _secret_routes(urlconf or settings.ROOT_URLCONF)


def mask_secrets(path: str, urlconf: str | None = None) -> str:
    """``path`` with every segment that a secret-carrying route puts a secret in replaced."""
    for route in secret_routes(urlconf):
        match = route.mask.match(path)
        if match is None:
            continue
        pieces, position = [], 0
        for name in sorted(match.groupdict(), key=match.start):
            if match.start(name) < 0:
                continue
            pieces += [path[position : match.start(name)], MASK]
            position = match.end(name)
        path = "".join(pieces) + path[position:]
    return path
