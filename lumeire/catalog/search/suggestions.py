"""Suggestions as a shopper types: a few products and categories, in the current language.

Answers are cached per catalogue version, language and folded query, so a burst of keystrokes
from many shoppers costs the database once per distinct prefix.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass

from django.core.cache import caches
from django.urls import reverse
from django.utils.translation import get_language

from lumeire.catalog.models import Category, Product
from lumeire.catalog.search import QueryPlan, plan_query, ranked_matches
from lumeire.catalog.search.analysis import query_words
from lumeire.catalog.search.index import index_text

MAX_PRODUCTS = 8
MAX_CATEGORIES = 4
POOL = 200  # matches ranked for the few shown
LIFETIME_SECONDS = 300


@dataclass(frozen=True)
class Suggestion:
    name: str
    slug: str
    url: str


def _category_matches(category: Category, plan: QueryPlan) -> bool:
    held = index_text(names=[category.name_en, category.name_ar]).keys.split()
    for word in plan.words:
        if not any(
            term in word.alternatives or (word.prefix and term.startswith(word.term))
            for term in held
        ):
            return False
    return True


def _read(query: str, arabic: bool) -> dict:
    plan = plan_query(query)
    if not plan.words:
        return {"products": [], "categories": [], "did_you_mean": None}
    best = ranked_matches(Product.objects.filter(is_listed=True), query, pool=POOL).ids
    best = best[:MAX_PRODUCTS]
    by_id = Product.objects.only("slug", "name_en", "name_ar").in_bulk(best)
    categories = [
        c
        for c in Category.objects.filter(is_active=True).order_by("path")
        if _category_matches(c, plan)
    ][:MAX_CATEGORIES]
    found = [by_id[pk] for pk in best if pk in by_id]
    return {
        "products": [
            asdict(
                Suggestion(
                    name=p.name_ar if arabic else p.name_en,
                    slug=p.slug,
                    url=reverse("storefront:product", kwargs={"slug": p.slug}),
                )
            )
            for p in found
        ],
        "categories": [
            asdict(
                Suggestion(
                    name=c.name_ar if arabic else c.name_en,
                    slug=c.slug,
                    url=reverse("storefront:category", kwargs={"slug": c.slug}),
                )
            )
            for c in categories
        ],
        "did_you_mean": plan.suggestion(loose=not found and not categories) or None,
    }


def search_suggestions(query: str, *, version: int) -> dict:
    """{"products": [...], "categories": [...], "did_you_mean": str | None}: names and store
    addresses only, nothing about the shopper."""
    language = (get_language() or "en")[:2]
    folded = " ".join(query_words(query))
    # Hashed: a key of plain ASCII whatever the shopper typed.
    digest = hashlib.sha256(folded.encode()).hexdigest()[:32]
    key = f"catalog:suggest:{version}:{language}:{digest}"
    cache = caches["default"]
    found = cache.get(key)
    if found is None:
        found = _read(folded, language == "ar")
        cache.set(key, found, LIFETIME_SECONDS)
    return found
