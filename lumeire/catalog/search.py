"""Product search: ranked full text, then typo tolerance, on PostgreSQL; a folded match elsewhere.

Both paths search the same folded text (``Product.search_text``), so Arabic queries ignore
diacritics and letter variants (أ إ آ → ا) on every database.
"""

from __future__ import annotations

import re

from django.db import connection
from django.db.models import BooleanField, FloatField, QuerySet, Value
from django.db.models.expressions import RawSQL

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
    from django.contrib.postgres.search import TrigramWordSimilarity

    # Every word as a prefix ("perf" finds "perfume"); words are \w+ only, so safe in tsquery.
    tsquery = " & ".join(f"{term}:*" for term in terms)
    exact = products.annotate(
        matches=RawSQL(
            "search_document @@ to_tsquery('simple', %s)", [tsquery], output_field=BooleanField()
        )
    ).filter(matches=True)
    if exact.exists():
        return exact.annotate(
            relevance=RawSQL(
                "ts_rank(search_document, to_tsquery('simple', %s))",
                [tsquery],
                output_field=FloatField(),
            )
        )
    # Nothing matched as typed: allow a typo in each word, matched against product names.
    typo_tolerant = products
    for term in terms:
        typo_tolerant = typo_tolerant.filter(search_names__trigram_word_similar=term)
    return typo_tolerant.annotate(relevance=TrigramWordSimilarity(" ".join(terms), "search_names"))


def _fallback_search(products: QuerySet[Product], terms: list[str]) -> QuerySet[Product]:
    matching = products
    for term in terms:
        matching = matching.filter(search_text__contains=term)
    # Names hold the folded words first, so a match near the start ranks higher.
    return matching.annotate(relevance=Value(1.0, output_field=FloatField()))
