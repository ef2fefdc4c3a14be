"""How typed secrets and logins are compared: the same answer typed two ways must match."""

from __future__ import annotations

import unicodedata

# Letter variants that Arabic typists use interchangeably.
_ARABIC_VARIANTS = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ة": "ه",
        "ى": "ي",
        "ؤ": "و",
        "ئ": "ي",
        "ـ": None,  # tatweel, the elongation stroke
    }
)
# Arabic diacritics (harakat) and the Quranic marks carry no meaning for a typed answer.
_ARABIC_MARKS = {chr(c) for c in range(0x064B, 0x0660)} | {"\u0670"}
_ARABIC_DIGITS = str.maketrans(
    {**{chr(0x0660 + d): str(d) for d in range(10)}, **{chr(0x06F0 + d): str(d) for d in range(10)}}
)


def normalize_recovery_answer(answer: str) -> str:
    """NFKC, case-folded, Arabic letter variants and digits unified, spaces collapsed."""
    text = unicodedata.normalize("NFKC", answer).casefold()
    text = text.translate(_ARABIC_VARIANTS).translate(_ARABIC_DIGITS)
    text = "".join(ch for ch in text if ch not in _ARABIC_MARKS)
    return " ".join(text.split())


def normalize_username(username: str) -> str:
    """The form in which two usernames are the same account: NFKC and case-folded."""
    return unicodedata.normalize("NFKC", username).casefold().strip()
