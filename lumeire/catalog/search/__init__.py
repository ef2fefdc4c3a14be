"""Product search that forgives: stems, typos, categories and synonyms, on every database.

Each product keeps its index terms (``Product.search_name_keys`` and ``search_keys``: folded,
lightly stemmed words of its names, categories up the tree, option values and descriptions; see
``lumeire.catalog.services.search_index_refresh``). A query is turned into terms the same way,
then each word becomes a few alternatives before the database is asked anything:

- the word's own term or, when the vocabulary does not know it, the known terms it begins
  (the shopper may still be typing);
- when no term is or begins with it, the closest terms of the vocabulary within one edit
  (words of 5 to 7 letters) or two (8 letters and more): "perfune" → perfume, "dresss" → dress;
- the staff's synonyms of any of those ("scent" → perfume).

A product matches when it holds an alternative of every word: an exact, indexed look-up (a GIN
index on a weighted tsvector on PostgreSQL; a scan of the short term text elsewhere). Names
rank above categories, synonyms and descriptions.

On PostgreSQL the rank has two tiers (every word in the names, or not), then id, so that a
page of results needs no score read from every match (see ``ranked_matches``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import reduce
from operator import add, and_, or_

from django.db import connection
from django.db.models import BooleanField, Case, F, FloatField, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.utils.translation import get_language

from lumeire.catalog.models import Product
from lumeire.catalog.search.analysis import (
    MAX_QUERY_LENGTH,
    MAX_TERMS,
    allowed_edits,
    query_words,
    stem,
)
from lumeire.catalog.search.vocabulary import Vocabulary, vocabulary

__all__ = [
    "MAX_QUERY_LENGTH",
    "MAX_TERMS",
    "QueryPlan",
    "RankedMatches",
    "plan_query",
    "ranked_matches",
    "search_products",
    "search_terms",
    "spelling_suggestion",
    "uses_postgres_search",
    "with_match_flag",
]

MAX_PREFIX_TERMS = 12  # known terms an unfinished word may stand for
MIN_PREFIX_LENGTH = 2


@dataclass(frozen=True)
class WordPlan:
    typed: str
    term: str
    alternatives: tuple[str, ...]  # exact terms
    prefix: bool  # the word is unfinished: the alternatives are the known terms it begins
    correction: str = ""  # the word shown for a typo corrected
    loose_correction: str = ""  # a likelier word when nothing is close enough to search with


@dataclass(frozen=True)
class QueryPlan:
    words: tuple[WordPlan, ...]

    @property
    def corrected(self) -> bool:
        return any(word.correction for word in self.words)

    def suggestion(self, *, loose: bool = False) -> str:
        """The query with each corrected word replaced, or "" when nothing was corrected."""
        changed = False
        shown = []
        for word in self.words:
            better = word.correction or (word.loose_correction if loose else "")
            changed |= bool(better)
            shown.append(better or word.typed)
        return " ".join(shown) if changed else ""


def search_terms(query: str) -> list[str]:
    """The words of a query, folded, at most eight of them."""
    return query_words(query)


def uses_postgres_search() -> bool:
    return connection.vendor == "postgresql"


def _word_plan(typed: str, known: Vocabulary, language: str) -> WordPlan:
    term = stem(typed)
    if typed.isdigit():
        return WordPlan(typed, term, (term,), prefix=False)
    alternatives = [term]
    prefix = False
    correction = loose = ""
    if not known.knows(term):
        begun = known.with_prefix(term, MAX_PREFIX_TERMS) if len(term) >= MIN_PREFIX_LENGTH else []
        if begun:
            # Still being typed: the known terms it begins, each matched exactly (an index
            # look-up per term, with the planner's estimates intact, unlike a prefix query).
            alternatives += begun
            prefix = True
        elif found := known.corrections(term, allowed_edits(typed)):
            alternatives += found
            correction = known.shown(found[0])
        else:
            edits = max(1, allowed_edits(typed) + 1)
            nearby = known.corrections(term, edits) if len(term) > 2 else []
            loose = known.shown(nearby[0]) if nearby else ""
    for found in list(alternatives):
        alternatives += sorted(known.synonyms_of(found, language))
    # Terms no product holds would only widen the query (and the planner's estimate); the
    # word's own term stays, for a product added since the vocabulary was read.
    kept = [term] + [t for t in alternatives[1:] if t in known.indexed]
    return WordPlan(
        typed,
        term,
        tuple(dict.fromkeys(kept)),
        prefix=prefix,
        correction=correction,
        loose_correction=loose,
    )


# Plans already made, by vocabulary, language and query: a search page plans its query for the
# results and again for "did you mean", and the API and the page may ask for the same words.
_plans: dict[tuple[str, str, str], QueryPlan] = {}
MAX_REMEMBERED_PLANS = 1024


def plan_query(query: str) -> QueryPlan:
    """What each word of ``query`` will match (reads the cached vocabulary)."""
    typed = query_words(query)
    if not typed:
        return QueryPlan(())
    known = vocabulary()
    language = (get_language() or "en")[:2]
    # A vocabulary cached by a node still running older code has no stamp: planned afresh.
    stamp = getattr(known, "stamp", None)
    key = (stamp, language, " ".join(typed))
    plan = _plans.get(key) if stamp else None
    if plan is None:
        # Single letters ("و", "a") match too much to mean anything beside other words.
        meaningful = [word for word in typed if len(word) > 1 or word.isdigit()] or typed
        plan = QueryPlan(tuple(_word_plan(word, known, language) for word in meaningful))
        if stamp:
            if len(_plans) >= MAX_REMEMBERED_PLANS:
                _plans.clear()
            _plans[key] = plan
    return plan


def spelling_suggestion(query: str, *, found_nothing: bool = False) -> str:
    """ "Did you mean": the corrected query when a typo was forgiven, or, when nothing was found,
    the nearest known words; "" when there is nothing to suggest."""
    plan = plan_query(query)
    return plan.suggestion(loose=found_nothing)


def search_products(products: QuerySet[Product], query: str) -> QuerySet[Product]:
    """Products matching ``query``, annotated with ``relevance`` (higher is better)."""
    plan = plan_query(query)
    if not plan.words:
        return products.none().annotate(relevance=Value(0.0, output_field=FloatField()))
    if uses_postgres_search():
        return _postgres_search(products, plan)
    return _portable_search(products, plan)


def with_match_flag(products: QuerySet[Product], query: str) -> QuerySet[Product]:
    """``products`` (not narrowed) annotated with ``matches``: whether each one matches ``query``.

    For reading a few rows in some other order (a sort's index) and keeping those that match.
    """
    plan = plan_query(query)
    if not plan.words:
        condition: Q | RawSQL = Q(pk__in=[])
    elif uses_postgres_search():
        condition = _document_matches(_tsquery(plan))
    else:
        condition = reduce(and_, (_word_match("search_keys", w) for w in plan.words))
    return products.annotate(matches=Case(When(condition, then=Value(True)), default=Value(False)))


def _tsquery(plan: QueryPlan, *, weight: str = "") -> str:
    # Terms are letters and digits only (analysis._TOKEN): quoted, they are taken as they are.
    # ":A" keeps a term to the names (weight A of the search document).
    suffix = f":{weight}" if weight else ""
    groups = []
    for word in plan.words:
        groups.append("(" + " | ".join(f"'{term}'{suffix}" for term in word.alternatives) + ")")
    return " & ".join(groups)


def _document_matches(tsquery: str) -> RawSQL:
    return RawSQL("search_document @@ %s::tsquery", [tsquery], output_field=BooleanField())


def _name_tier(names_tsquery: str) -> RawSQL:
    # 2 when every word is in the names, else 1: the same scale as the portable search's score.
    return RawSQL(
        "CASE WHEN search_document @@ %s::tsquery THEN 2.0 ELSE 1.0 END",
        [names_tsquery],
        output_field=FloatField(),
    )


def _postgres_search(products: QuerySet[Product], plan: QueryPlan) -> QuerySet[Product]:
    return products.filter(_document_matches(_tsquery(plan))).annotate(
        relevance=_name_tier(_tsquery(plan, weight="A"))
    )


@dataclass(frozen=True)
class RankedMatches:
    """Ids of matching products, best first: every match, or the first ``pool`` found."""

    ids: list[int]
    complete: bool
    values: dict[int, tuple] = field(default_factory=dict)  # id -> the fields asked for


def ranked_matches(
    products: QuerySet[Product], query: str, *, pool: int, fields: tuple[str, ...] = ()
) -> RankedMatches:
    """Products matching ``query``, by relevance then id, read no further than ``pool`` matches,
    with the values of ``fields`` of each (to sort a page by, without reading them again).

    On PostgreSQL the pool is the first ``pool`` matches the index finds (in table order), each
    with whether every word is in its names, ranked here: the database stops after the pool
    and never sorts every match of a common word ("perfume" in 12,000 of 100,000 products).
    A query with fewer matches than the pool, the usual case, is ranked whole and exactly.
    """
    plan = plan_query(query)
    if not plan.words:
        return RankedMatches([], complete=True)
    if uses_postgres_search():
        found = (
            products.filter(_document_matches(_tsquery(plan)))
            .annotate(first=_document_matches(_tsquery(plan, weight="A")))
            .order_by()
        )
    else:
        # Without the index, every match is scored anyway: the pool is the best of them.
        found = search_products(products, query).annotate(first=F("relevance"))
        found = found.order_by("-first", "id")
    rows = list(found.values_list("id", "first", *fields)[:pool])
    # Best first: every word in the names (or the highest score), then the oldest product.
    rows.sort(key=lambda row: (-row[1], row[0]))
    return RankedMatches(
        [row[0] for row in rows],
        complete=len(rows) < pool,
        values={row[0]: row[2:] for row in rows},
    )


def _word_match(field: str, word: WordPlan) -> Q:
    return reduce(or_, (Q(**{f"{field}__contains": f" {t} "}) for t in word.alternatives))


def _portable_search(products: QuerySet[Product], plan: QueryPlan) -> QuerySet[Product]:
    matching = products.filter(reduce(and_, (_word_match("search_keys", w) for w in plan.words)))
    # A word found in the names counts twice; one found only in a category or synonym, once.
    score = reduce(
        add,
        (
            Case(
                When(_word_match("search_name_keys", word), then=Value(2.0)),
                default=Value(1.0),
                output_field=FloatField(),
            )
            for word in plan.words
        ),
    )
    return matching.annotate(relevance=score)
