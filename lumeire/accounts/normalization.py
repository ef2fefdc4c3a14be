"""How typed secrets and logins are compared: the same value typed two ways must match.

``normalize_login`` is the one form of a login: the account lookup searches by it and the
lockout and recovery counters count by it, so no spelling the lookup accepts escapes a counter.
"""

from __future__ import annotations

import unicodedata

from lumeire.core.text import fold_text

# Arabic-Indic and extended Arabic-Indic digits, read as 0-9 in a login.
_ARABIC_DIGITS = str.maketrans(
    {**{chr(0x0660 + d): str(d) for d in range(10)}, **{chr(0x06F0 + d): str(d) for d in range(10)}}
)
# No login is longer; anything past it is cut before the work of normalising it.
MAX_LOGIN_INPUT = 1000


def _is_dropped(ch: str) -> bool:
    # White space of any kind, and invisible format characters (zero-width spaces and joiners,
    # bidirectional marks, soft hyphens): none can be part of a username or an address.
    return ch.isspace() or unicodedata.category(ch) in ("Cf", "Cc")


def normalize_login(login: str) -> str:
    """The form in which a login is looked up and counted.

    NFKC (full-width letters, non-breaking spaces), case-folded, Arabic-Indic digits as 0-9,
    every white space and invisible format character removed. Folding repeats until stable, so
    the blind indexes (which fold once more) see exactly this value.
    """
    value = (login or "")[:MAX_LOGIN_INPUT]
    for _ in range(3):
        folded = unicodedata.normalize("NFKC", value).casefold().translate(_ARABIC_DIGITS)
        folded = "".join(ch for ch in folded if not _is_dropped(ch))
        if folded == value:
            break
        value = folded
    return value


def canonical_username(typed: str) -> str:
    """A username as stored: NFKC, digits as 0-9, no surrounding space; case is kept for display.

    Storing digits as 0-9 keeps a username and its Arabic-Indic look-alike one account, and lets
    the login lookup (which reads both as 0-9) find it.
    """
    return unicodedata.normalize("NFKC", typed or "").translate(_ARABIC_DIGITS).strip()


def normalize_recovery_answer(answer: str) -> str:
    """Fold the answer as search folds text: case, spacing, Arabic variants, diacritics."""
    return fold_text(answer)
