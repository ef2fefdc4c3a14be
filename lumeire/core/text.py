"""Text folding shared by search and comparisons: what a shopper types should find what is sold."""

from __future__ import annotations

import unicodedata

_ARABIC_LETTER_VARIANTS = str.maketrans(
    {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي", "ؤ": "و", "ئ": "ي", "ـ": None}
)
_ARABIC_DIGITS = str.maketrans(
    {**{chr(0x0660 + d): str(d) for d in range(10)}, **{chr(0x06F0 + d): str(d) for d in range(10)}}
)
# Harakat and the superscript alef: diacritics that shoppers rarely type.
_ARABIC_MARKS = frozenset({chr(c) for c in range(0x064B, 0x0660)} | {"\u0670"})


def fold_text(text: str) -> str:
    """NFKC, case-folded, Arabic letter variants, digits and diacritics unified, spaces collapsed.

    Latin accents are dropped too (é → e), so "creme" finds "Crème".
    """
    folded = unicodedata.normalize("NFKC", text or "").casefold()
    folded = folded.translate(_ARABIC_LETTER_VARIANTS).translate(_ARABIC_DIGITS)
    decomposed = unicodedata.normalize("NFKD", folded)
    kept = "".join(
        ch for ch in decomposed if ch not in _ARABIC_MARKS and not unicodedata.combining(ch)
    )
    return " ".join(unicodedata.normalize("NFC", kept).split())
