"""Demo search synonyms, and the search index of products the demo loader made in bulk."""

from __future__ import annotations

from lumeire.catalog.models import SearchSynonym
from lumeire.catalog.services import search_index_rebuild, search_synonym_save

# (word, equivalents, language: "" for both): words shoppers type for what the demo store sells.
DEMO_SYNONYMS = (
    ("perfume", "fragrance, scent, parfum, cologne, عطر", ""),
    ("jewellery", "jewelry, jewels", ""),
    ("bakhoor", "bukhoor, incense, بخور", ""),
    ("running shoes", "sneakers, trainers", "en"),
    ("abaya", "abaya, عباءة, عباية", ""),
    ("earbuds", "earphones", ""),
    ("headphones", "headset", ""),
    ("عطر", "ريحة, طيب", "ar"),
)


def load_demo_synonyms() -> int:
    """The demo synonyms that are not there yet (matched by their word)."""
    made = 0
    for word, equivalents, language in DEMO_SYNONYMS:
        if SearchSynonym.objects.filter(word=word).exists():
            continue
        search_synonym_save(
            synonym=SearchSynonym(word=word, equivalents=equivalents, language=language)
        )
        made += 1
    return made


def load_demo_search(*, reindex: bool) -> None:
    """Index the products made in bulk (with their variants' options), then the synonyms."""
    if reindex:
        search_index_rebuild()
    load_demo_synonyms()
