"""Words as search compares them: folded, split, and lightly stemmed in English and Arabic.

The same steps turn a product's text into its index terms and a shopper's query into the terms
looked up, so "perfumes", "Perfume" and "PERFUME" meet at one term, as do "العطور", "عطور" and
"عطر". Stemming is light on purpose: it strips what changes a word's number or adds an article,
and maps the broken plurals of the words this catalogue sells; it never guesses at roots.
"""

from __future__ import annotations

import re

from lumeire.core.text import fold_text

MAX_QUERY_LENGTH = 100
MAX_TERMS = 8
# Letters and digits: the same tokens PostgreSQL's parser makes of the index text.
_TOKEN = re.compile(r"[^\W_]+", flags=re.UNICODE)
_ARABIC = re.compile(r"[\u0600-\u06ff]")

# Arabic prefixes, longest first: the article and a conjunction or preposition before it.
_ARABIC_PREFIXES = ("وال", "بال", "كال", "فال", "لل", "ال")
# Suffixes of number, gender and possession (ة is already folded to ه), longest first.
_ARABIC_SUFFIXES = ("يات", "ات", "ون", "ين", "ان", "ها", "يه", "ه", "ي")
# Broken plurals (and singulars spelt apart) of the words the catalogue sells, folded.
ARABIC_PLURALS = {
    "عطور": "عطر",
    "عطورات": "عطر",
    "فساتين": "فستان",
    "قفاطين": "قفطان",
    "اثواب": "ثوب",
    "ثياب": "ثوب",
    "قمصان": "قميص",
    "بشوت": "بشت",
    "اعواد": "عود",
    "ورود": "ورد",
    "زهور": "زهر",
    "ازهار": "زهر",
    "كتب": "كتاب",
    "قصص": "قصه",
    "خواتم": "خاتم",
    "اساور": "سوار",
    "اسوره": "سوار",
    "قلايد": "قلاده",
    "حقايب": "حقيبه",
    "دفاتر": "دفتر",
    "اقلام": "قلم",
    "تمور": "تمر",
    "سجاجيد": "سجاده",
    "وسايد": "وساده",
    "فوانيس": "فانوس",
    "احذيه": "حذاء",
    "سكاكين": "سكين",
    "اطقم": "طقم",
    "اطفال": "طفل",
    "رجال": "رجل",
    "العاب": "لعبه",
    "زيوت": "زيت",
    "مجوهرات": "جوهره",
    "ملابس": "ملبس",
    "دلال": "دله",
    "مكعبات": "مكعب",
}
# English plurals that do not end in a plain s.
ENGLISH_PLURALS = {
    "knives": "knife",
    "women": "woman",
    "men": "man",
    "children": "child",
    "shelves": "shelf",
    "leaves": "leaf",
}


def words(text: str) -> list[str]:
    """Folded words (letters and digits) of a text."""
    return _TOKEN.findall(fold_text(text))


def query_words(query: str) -> list[str]:
    """The words of a shopper's query, folded, at most eight of them."""
    return words((query or "")[:MAX_QUERY_LENGTH])[:MAX_TERMS]


def is_arabic(word: str) -> bool:
    return bool(_ARABIC.search(word))


def _stem_arabic(word: str) -> str:
    if word in ARABIC_PLURALS:  # "العاب" is a plural, not an article before "عاب"
        word = ARABIC_PLURALS[word]
    for prefix in _ARABIC_PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 2:
            word = word[len(prefix) :]
            break
    if word in ARABIC_PLURALS:
        word = ARABIC_PLURALS[word]
    for suffix in _ARABIC_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def unprefixed(word: str) -> str:
    """A word without the Arabic article (and a conjunction or preposition before it)."""
    for prefix in _ARABIC_PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 2:
            return word[len(prefix) :]
    return word


def _stem_english(word: str) -> str:
    if word in ENGLISH_PLURALS:
        word = ENGLISH_PLURALS[word]
    elif len(word) > 4 and word.endswith("ies"):
        word = word[:-3] + "y"
    elif len(word) > 4 and word.endswith(("sses", "xes", "zes", "ches", "shes")):
        word = word[:-2]
    elif len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    # A final silent e: "perfume" and "parfum" stay one letter apart.
    if len(word) >= 5 and word.endswith("e") and not word.endswith("ee"):
        word = word[:-1]
    return word


def stem(word: str) -> str:
    """One folded word's index term."""
    if word.isdigit():
        return word
    if is_arabic(word):
        return _stem_arabic(word)
    return _stem_english(word)


def terms(text: str) -> list[str]:
    """The index terms of a text, in order, each once."""
    return list(dict.fromkeys(stem(word) for word in words(text)))


def edit_distance(first: str, second: str, limit: int) -> int:
    """Damerau-Levenshtein distance (a swap of neighbours is one edit), or limit + 1 past it."""
    if abs(len(first) - len(second)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(second) + 1))
    for i, a in enumerate(first, start=1):
        current = [i] + [0] * len(second)
        best = current[0]
        for j, b in enumerate(second, start=1):
            cost = 0 if a == b else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a == second[j - 2] and first[i - 2] == b:
                value = min(value, previous2[j - 2] + 1)
            current[j] = value
            best = min(best, value)
        if best > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1] if previous[-1] <= limit else limit + 1


def allowed_edits(word: str) -> int:
    """Typos forgiven in a word: none below 5 letters, one up to 7, two from 8."""
    if word.isdigit() or len(word) < 5:
        return 0
    return 1 if len(word) < 8 else 2
