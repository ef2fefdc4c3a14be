"""Search relevance on the demo catalogue: precision and recall at 10 over a fixed set of queries.

The queries and the products each should find (by slug) are in
lumeire/catalog/tests/relevance_queries.json: English and Arabic, plurals, typos, category names
and synonyms, judged from what each demo product is (its category and its name's noun), not from
what any search code returns.

For each query, over the first ten results as a shopper sees them (``product_page``):
- precision@10 = expected products among the results shown / results shown (0 when none shown);
- recall@10 = expected products among the results shown / min(10, expected products), so a query
  with 36 expected products scores 1.0 when its first ten are all right.
Figures are means over queries, per language and in total.

`python -m bench relevance` builds a throw-away SQLite database with `load_demo` (300 products,
no images) and prints the table; the catalogue tests run the same measure and hold a floor.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

QUERIES_FILE = (
    Path(__file__).resolve().parent.parent
    / "lumeire"
    / "catalog"
    / "tests"
    / "relevance_queries.json"
)
AT = 10


@dataclass(frozen=True)
class QueryScore:
    query: str
    language: str
    kind: str
    precision: float
    recall: float
    found: int  # expected products among the first ten


def relevance_queries() -> list[dict]:
    return json.loads(QUERIES_FILE.read_text(encoding="utf-8"))["queries"]


def score_queries(queries: list[dict] | None = None) -> list[QueryScore]:
    """Run every query through the storefront's search (current database) and score it."""
    from django.utils import translation

    from lumeire.catalog.selectors import ProductFilters, product_page

    scores = []
    for entry in queries if queries is not None else relevance_queries():
        with translation.override(entry["language"]):
            page = product_page(ProductFilters(query=entry["query"]), limit=AT, cursor=None)
        shown = [product.slug for product in page.items][:AT]
        expected = set(entry["expected"])
        found = sum(1 for slug in shown if slug in expected)
        scores.append(
            QueryScore(
                query=entry["query"],
                language=entry["language"],
                kind=entry["kind"],
                precision=found / len(shown) if shown else 0.0,
                recall=found / min(AT, len(expected)),
                found=found,
            )
        )
    return scores


def totals(scores: list[QueryScore]) -> dict[str, tuple[int, float, float]]:
    """(queries, mean precision@10, mean recall@10) per language, per kind and in total."""
    groups: dict[str, list[QueryScore]] = {"total": scores}
    for score in scores:
        groups.setdefault(score.language, []).append(score)
        groups.setdefault(f"kind: {score.kind}", []).append(score)
    return {
        name: (
            len(group),
            sum(s.precision for s in group) / len(group),
            sum(s.recall for s in group) / len(group),
        )
        for name, group in groups.items()
        if group
    }


def table(scores: list[QueryScore]) -> list[str]:
    lines = [f"{'query':<16} {'lang':<4} {'kind':<9} {'P@10':>5} {'R@10':>5}"]
    lines += [
        f"{s.query:<16} {s.language:<4} {s.kind:<9} {s.precision:>5.2f} {s.recall:>5.2f}"
        for s in scores
    ]
    lines.append(f"{'':<16} {'':<4} {'':<9} {'P@10':>5} {'R@10':>5}  queries")
    for name, (count, precision, recall) in sorted(
        totals(scores).items(), key=lambda item: (item[0] != "total", item[0])
    ):
        lines.append(f"{name:<30} {precision:>5.2f} {recall:>5.2f}  {count}")
    return lines


def run() -> list[str]:
    from bench.environment import django_for_bench

    django_for_bench()
    from lumeire.demo.catalog import load_demo_catalog

    load_demo_catalog(products=300, images=False)
    return ["demo catalogue: load_demo, 300 products, on SQLite", *table(score_queries())]
