"""The words search knows: every index term (for typo correction) and the staff's synonyms.

Read in one query and kept in the default cache (Redis across nodes, else each worker's memory).
A change to the terms or synonyms reads it again at once, in the process that made the change,
and once more after the commit; a worker with its own memory cache sees the change within
``LIFETIME_SECONDS``. A term left over from an edit rolled back matches nothing.
"""

from __future__ import annotations

import bisect
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.cache import caches
from django.db.models import CharField, Value

from lumeire.catalog.search.analysis import allowed_edits, edit_distance, stem, words

# v3: a vocabulary carries its stamp; a v2 one (from the code before) would not.
CACHE_KEY = "catalog:search:vocabulary:v3"
LIFETIME_SECONDS = 60
MAX_CORRECTIONS = 3


@dataclass
class Vocabulary:
    words: dict[str, str]  # term -> a word that shows it
    synonyms: dict[str, dict[str, frozenset[str]]]  # language ("" both) -> term -> terms
    indexed: frozenset[str] = frozenset()  # terms some product holds (not synonyms alone)
    by_length: dict[int, list[str]] = field(default_factory=dict)
    ordered: list[str] = field(default_factory=list)
    # Tells one reading of the terms and synonyms from the next (query plans are kept by it).
    stamp: str = field(default_factory=lambda: uuid.uuid4().hex)

    def __post_init__(self) -> None:
        buckets: dict[int, list[str]] = defaultdict(list)
        for term in self.words:
            if not term.isdigit():
                buckets[len(term)].append(term)
        self.by_length = dict(buckets)
        self.ordered = sorted(self.words)

    def knows(self, term: str) -> bool:
        return term in self.words

    def has_prefix(self, term: str) -> bool:
        """Whether some term starts with ``term`` (the shopper may still be typing it)."""
        at = bisect.bisect_left(self.ordered, term)
        return at < len(self.ordered) and self.ordered[at].startswith(term)

    def with_prefix(self, term: str, limit: int) -> list[str]:
        at = bisect.bisect_left(self.ordered, term)
        found = []
        while at < len(self.ordered) and self.ordered[at].startswith(term) and len(found) < limit:
            found.append(self.ordered[at])
            at += 1
        return found

    def corrections(self, term: str, edits: int) -> list[str]:
        """The closest known terms within ``edits`` edits, nearest first."""
        if edits <= 0:
            return []
        found: list[tuple[int, str]] = []
        for length in range(max(1, len(term) - edits), len(term) + edits + 1):
            for candidate in self.by_length.get(length, ()):
                distance = edit_distance(term, candidate, edits)
                if distance <= edits:
                    found.append((distance, candidate))
        if not found:
            return []
        nearest = min(distance for distance, _ in found)
        return [c for d, c in sorted(found) if d == nearest][:MAX_CORRECTIONS]

    def synonyms_of(self, term: str, language: str) -> frozenset[str]:
        both = self.synonyms.get("", {}).get(term, frozenset())
        return both | self.synonyms.get(language, {}).get(term, frozenset())

    def shown(self, term: str) -> str:
        return self.words.get(term, term)


def _synonym_groups(rows: list[tuple[str, str, str]]) -> dict[str, dict[str, frozenset[str]]]:
    """Every word of a synonym row finds every other one (single words; a phrase's words are
    its terms)."""
    groups: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for word, equivalents, language in rows:
        listed = [word, *equivalents.replace("،", ",").split(",")]
        stems = {stem(w) for phrase in listed for w in words(phrase)[:1]}
        for term in stems:
            groups[language][term] |= stems - {term}
    return {
        language: {term: frozenset(others) for term, others in by_term.items()}
        for language, by_term in groups.items()
    }


def load_vocabulary() -> Vocabulary:
    """Terms and synonyms in one query (a union of the two tables)."""
    from lumeire.catalog.models import SearchSynonym, SearchTerm

    terms = (
        SearchTerm.objects.order_by()
        .annotate(kind=Value("-", output_field=CharField()))
        .values_list("term", "word", "kind")
    )
    synonyms = SearchSynonym.objects.order_by().values_list("word", "equivalents", "language")
    found: dict[str, str] = {}
    synonym_rows = []
    for first, second, third in terms.union(synonyms, all=True):
        if third == "-":
            found[first] = second
        else:
            synonym_rows.append((first, second, third))
    indexed = frozenset(found)
    for word, equivalents, _language in synonym_rows:
        for phrase in [word, *equivalents.replace("،", ",").split(",")]:
            for shown in words(phrase)[:1]:
                found.setdefault(stem(shown), shown)  # a synonym is a known word, never a typo
    synonyms = _synonym_groups(synonym_rows)
    return Vocabulary(words=found, synonyms=synonyms, indexed=indexed)


def vocabulary() -> Vocabulary:
    cache = caches["default"]
    known = cache.get(CACHE_KEY)
    if known is None:
        known = load_vocabulary()
        cache.set(CACHE_KEY, known, LIFETIME_SECONDS)
    return known


def forget_vocabulary() -> None:
    caches["default"].delete(CACHE_KEY)


def renew_vocabulary() -> None:
    """Read the vocabulary again now (after a write), so the next search does not have to."""
    caches["default"].set(CACHE_KEY, load_vocabulary(), LIFETIME_SECONDS)


def correctable(word: str) -> int:
    return allowed_edits(word)
