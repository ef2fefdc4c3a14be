"""How typed secrets and logins are compared: the same answer typed two ways must match."""

from __future__ import annotations

import unicodedata

from lumeire.core.text import fold_text


def normalize_recovery_answer(answer: str) -> str:
    """Fold the answer as search folds text: case, spacing, Arabic variants, diacritics."""
    return fold_text(answer)


def normalize_username(username: str) -> str:
    """The form in which two usernames are the same account: NFKC and case-folded."""
    return unicodedata.normalize("NFKC", username).casefold().strip()
