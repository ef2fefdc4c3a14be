"""A product's index terms from its texts: pure functions, shared by the services and migrations."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from lumeire.catalog.search.analysis import stem, unprefixed, words

MAX_TERM_LENGTH = 64


@dataclass
class IndexText:
    name_keys: str
    keys: str
    shown: dict[str, str] = field(default_factory=dict)  # term -> the shortest word seen


def _collect(texts: Iterable[str], shown: dict[str, str]) -> list[str]:
    found: dict[str, None] = {}
    for text in texts:
        for word in words(text or ""):
            term = stem(word)[:MAX_TERM_LENGTH]
            found[term] = None
            if not term.isdigit() and (term not in shown or len(word) < len(shown[term])):
                shown[term] = word[:MAX_TERM_LENGTH]
            # The word as written (without the article) too, for a word still being typed:
            # "عطو" is on its way to "عطور", whose term is "عطر".
            written = unprefixed(word)[:MAX_TERM_LENGTH]
            if written != term and not written.isdigit():
                found[written] = None
                shown.setdefault(written, written)
    return list(found)


def _spaced(terms: Iterable[str]) -> str:
    joined = " ".join(dict.fromkeys(terms))
    return f" {joined} " if joined else ""


def index_text(
    *,
    names: Iterable[str],
    categories: Iterable[str] = (),
    options: Iterable[str] = (),
    descriptions: Iterable[str] = (),
) -> IndexText:
    """Names first (they rank highest), then categories up the tree, options, descriptions."""
    shown: dict[str, str] = {}
    name_terms = _collect(names, shown)
    other = _collect([*categories, *options, *descriptions], shown)
    return IndexText(_spaced(name_terms), _spaced([*name_terms, *other]), shown)


def option_texts(options_rows: Iterable[dict | None]) -> list[str]:
    """The values of every variant's options ("black", "50 ml")."""
    return [str(value) for options in options_rows for value in (options or {}).values()]
