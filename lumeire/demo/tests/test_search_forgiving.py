"""Search that forgives, on the demo catalogue: typos, stems, categories, synonyms, "did you
mean", suggestions as you type, and a floor on relevance (bench/relevance.py)."""

from __future__ import annotations

import json

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from bench.relevance import relevance_queries, score_queries, totals
from lumeire.catalog.models import CatalogueVersion, Product, SearchSynonym
from lumeire.catalog.search.analysis import allowed_edits, edit_distance, stem
from lumeire.catalog.search.vocabulary import CACHE_KEY as VOCABULARY_CACHE_KEY
from lumeire.catalog.search.vocabulary import load_vocabulary
from lumeire.catalog.selectors import ProductFilters, product_page
from lumeire.catalog.services import (
    category_save,
    search_synonym_delete,
    search_synonym_save,
)
from lumeire.demo.catalog import load_demo_catalog

pytestmark = pytest.mark.django_db

# Measured on the demo catalogue: recall@10 1.00 and precision@10 0.99 over 76 queries (SQLite
# and PostgreSQL); before this search, 0.40 and 0.42. The floors leave room for small changes.
RECALL_FLOOR = 0.95
PRECISION_FLOOR = 0.90


@pytest.fixture
def demo(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        load_demo_catalog(products=300, images=False)


def slugs(query: str, language: str = "en", limit: int = 100) -> list[str]:
    with translation.override(language):
        page = product_page(ProductFilters(query=query), limit=limit, cursor=None)
    return [product.slug for product in page.items]


def in_category(*slugs_of_categories: str) -> set[str]:
    products = Product.objects.filter(is_listed=True)
    return {
        p.slug
        for p in products.select_related("category")
        if any(slug in _branch_slugs(p.category_id) for slug in slugs_of_categories)
    }


def _branch_slugs(category_id: int) -> set[str]:
    from lumeire.catalog.models import Category

    category = Category.objects.get(pk=category_id)
    ids = [int(i) for i in category.path.strip("/").split("/") if i]
    return set(Category.objects.filter(pk__in=ids).values_list("slug", flat=True))


def test_stemming_meets_plurals_and_the_arabic_article():
    assert stem("perfumes") == stem("perfume") == stem("Perfume".casefold())
    assert stem("dresses") == stem("dress")
    assert stem("العطور") == stem("عطور") == stem("عطر") == stem("والعطور")
    assert stem("فساتين") == stem("فستان")
    assert stem("حقائب".replace("ئ", "ي")) == stem("حقيبه")
    assert stem("ألعاب".replace("أ", "ا")) == stem("لعبه")


def test_typos_forgiven_grow_with_the_word():
    assert allowed_edits("ring") == 0
    assert allowed_edits("dresss") == 1
    assert allowed_edits("necklase") == 2
    assert edit_distance("electornic", "electronic", 2) == 1  # a swap is one edit
    assert edit_distance("perfun", "perfum", 1) == 1
    assert edit_distance("abcdef", "uvwxyz", 2) == 3


def test_perfume_finds_every_product_of_the_perfume_category(demo):
    perfume = in_category("perfume")

    assert len(perfume) == 36
    for query, language in [
        ("perfume", "en"),
        ("perfumes", "en"),
        ("perfune", "en"),
        ("parfum", "en"),
        ("عطور", "ar"),
        ("العطور", "ar"),
    ]:
        assert set(slugs(query, language)) == perfume, query


def test_typos_and_plurals_find_dresses_on_this_database(demo):
    dresses = in_category("dresses")

    for query in ("dress", "dresses", "dresss", "فساتين", "الفساتين"):
        assert set(slugs(query)) == dresses, query


def test_names_rank_above_category_matches(demo):
    found = slugs("perfume")
    named = [slug for slug in found if "perfume" in Product.objects.get(slug=slug).name_en.lower()]

    assert named and found[: len(named)] == named


def test_a_word_nobody_sells_finds_nothing_and_suggests_nothing_odd(demo):
    assert slugs("submarine") == []
    assert slugs("zzzzzzzz") == []


def test_the_search_page_says_did_you_mean_in_both_languages(client, demo):
    english = client.get("/en/search/?q=perfune").content.decode()
    arabic = client.get("/ar/search/?q=perfune").content.decode()

    assert 'Did you mean <a href="/en/search/?q=perfume">perfume</a>?' in english
    assert 'هل تقصد <a href="/ar/search/?q=perfume">perfume</a>؟' in arabic
    exact = client.get("/en/search/?q=perfume").content.decode()
    assert "did-you-mean" not in exact


def test_the_api_returns_did_you_mean(client, demo):
    typo = client.get("/api/v1/catalog/products?q=dresss").json()
    exact = client.get("/api/v1/catalog/products?q=dress").json()

    assert typo["did_you_mean"] == "dress"
    assert typo["items"]
    assert exact["did_you_mean"] is None


def test_suggestions_as_you_type_name_products_and_categories(client, demo):
    answer = client.get("/api/v1/catalog/suggestions?q=perf").json()

    assert 0 < len(answer["products"]) <= 8
    assert all(item["url"].startswith("/en/p/") for item in answer["products"])
    assert [c["slug"] for c in answer["categories"]] == ["perfume"]
    assert set(answer["products"][0]) == {"name", "slug", "url"}  # nothing about the shopper

    arabic = client.get("/api/v1/catalog/suggestions?q=عطو", HTTP_ACCEPT_LANGUAGE="ar").json()
    assert arabic["products"] or arabic["categories"]


def test_suggestions_for_nothing_are_empty_not_an_error(client, demo):
    for query in ("", " ", "-", "x" * 500):
        response = client.get("/api/v1/catalog/suggestions", {"q": query})
        assert response.status_code == 200, query
        assert response.json()["products"] == [], query
    # A NUL is refused as in every query string of the API, never a 500.
    assert client.get("/api/v1/catalog/suggestions", {"q": "a\x00"}).status_code == 400


def test_a_synonym_edit_takes_effect_and_retires_cached_pages(
    demo, django_capture_on_commit_callbacks
):
    assert slugs("aroma") == []
    before = CatalogueVersion.objects.get(pk=1).number

    with django_capture_on_commit_callbacks(execute=True):
        synonym = search_synonym_save(
            synonym=SearchSynonym(word="aroma", equivalents="perfume, عطر")
        )

    assert set(slugs("aroma")) == in_category("perfume")
    assert CatalogueVersion.objects.get(pk=1).number > before
    with django_capture_on_commit_callbacks(execute=True):
        search_synonym_delete(synonym=synonym)
    assert slugs("aroma") == []


def test_a_renamed_category_is_found_by_its_new_name(demo, django_capture_on_commit_callbacks):
    from lumeire.catalog.models import Category

    books = Category.objects.get(slug="books")
    books.name_en = "Library"
    with django_capture_on_commit_callbacks(execute=True):
        category_save(category=books)

    assert set(slugs("library")) == in_category("books")


def test_a_repeated_search_reads_the_vocabulary_from_the_cache(demo):
    slugs("perfune")
    with CaptureQueriesContext(connection) as captured:
        slugs("dresss")

    assert not any("catalog_searchterm" in q["sql"] for q in captured.captured_queries)


def test_relevance_stays_above_its_floor(demo):
    queries = relevance_queries()
    assert len(queries) >= 40
    assert {q["language"] for q in queries} == {"en", "ar"}

    figures = totals(score_queries(queries))
    _count, precision, recall = figures["total"]
    assert recall >= RECALL_FLOOR, json.dumps(figures)
    assert precision >= PRECISION_FLOOR, json.dumps(figures)


def test_a_vocabulary_cached_by_older_code_without_a_stamp_still_plans(demo):
    """During a rolling deploy, a node running the code before the plan memory may have cached
    its vocabulary (the key names the format, so it is not read; should one be, it still
    works, planned afresh each time)."""
    older = load_vocabulary()
    del older.__dict__["stamp"]
    caches["default"].set(VOCABULARY_CACHE_KEY, older, 60)

    assert slugs("perfune") and slugs("perfune") == slugs("perfume")
