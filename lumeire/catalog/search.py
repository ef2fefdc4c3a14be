"""Product search: full text plus trigram typo tolerance on PostgreSQL, a folded match elsewhere.

Both paths search the same folded text (``Product.search_text``), so Arabic queries ignore
diacritics and letter variants (أ إ آ → ا) on every database.
"""

from __future__ import annotations

import re

from django.db import connection
from django.db.models import F, FloatField, Q, QuerySet, Value
from django.db.models.functions import Coalesce

from lumeire.catalog.models import Product
from lumeire.core.text import fold_text

MAX_QUERY_LENGTH = 100
MAX_TERMS = 8
_WORD = re.compile(r"\w+", flags=re.UNICODE)


def search_terms(query: str) -> list[str]:
    """The words of a query, folded, at most eight of them."""
    return _WORD.findall(fold_text((query or "")[:MAX_QUERY_LENGTH]))[:MAX_TERMS]


def uses_postgres_search() -> bool:
    return connection.vendor == "postgresql"


def search_products(products: QuerySet[Product], query: str) -> QuerySet[Product]:
    """Products matching ``query``, annotated with ``relevance`` (higher is better)."""
    terms = search_terms(query)
    if not terms:
        return products.none().annotate(relevance=Value(0.0, output_field=FloatField()))
    if uses_postgres_search():
        return _postgres_search(products, terms)
    return _fallback_search(products, terms)


def _postgres_search(products: QuerySet[Product], terms: list[str]) -> QuerySet[Product]:
    from django.contrib.postgres.search import (
        SearchQuery,
        SearchRank,
        SearchVector,
        TrigramWordSimilarity,
    )

    # Each word must match, either as a word prefix ("perf" finds "perfume") or, for a typo,
    # by trigram similarity to a word of the text. Words are \w+ only, so safe in raw syntax.
    matching = products.annotate(document=SearchVector("search_text", config="simple"))
    for term in terms:
        matching = matching.filter(
            Q(document=SearchQuery(f"{term}:*", config="simple", search_type="raw"))
            | Q(search_text__trigram_word_similar=term)
        )
    everything = SearchQuery(
        " & ".join(f"{t}:*" for t in terms), config="simple", search_type="raw"
    )
    return matching.annotate(
        relevance=Coalesce(SearchRank(F("document"), everything), Value(0.0))
        + TrigramWordSimilarity(" ".join(terms), "search_text")
    )


def _fallback_search(products: QuerySet[Product], terms: list[str]) -> QuerySet[Product]:
    matching = products
    for term in terms:
        matching = matching.filter(search_text__contains=term)
    # Names hold the folded words first, so a match near the start ranks higher.
    return matching.annotate(relevance=Value(1.0, output_field=FloatField()))
