"""Rules for what a customer types: username, name, email, password, date of birth, answer."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lumeire.accounts.normalization import normalize_recovery_answer

# Latin letters a-z, the basic Arabic letters (no tatweel, marks or Persian look-alikes such as
# keheh and farsi yeh), digits 0-9 (Arabic-Indic digits are stored as 0-9), dot, underscore and
# hyphen. Letters of other alphabets are refused: Cyrillic "а" and Greek "ο" pass for Latin ones.
_LATIN_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_ARABIC_LETTERS = frozenset(chr(c) for c in (*range(0x0621, 0x063B), *range(0x0641, 0x064B)))
_USERNAME_OTHERS = frozenset("0123456789._-")

# Characters that change how text is shown without being seen: bidirectional embeddings,
# overrides, isolates and marks (U+202A-U+202E, U+2066-U+2069, U+200E, U+200F, U+061C), zero-width
# spaces and joiners, soft hyphens, and every other format or control character.
_NAME_PUNCTUATION = frozenset("-'\u2019\u02bc.")
MAX_NAME_LENGTH = 150


def validate_username(username: str) -> None:
    """3 to 30 characters: Latin or Arabic letters (not both), digits, ``._-``.

    Takes the username as stored (``canonical_username``): Arabic-Indic digits already read as
    0-9. Refuses letters of other alphabets, mixed alphabets and invisible characters, so no
    username can pass for another one.
    """
    if not 3 <= len(username) <= 30:
        raise ValidationError(_("A username has 3 to 30 characters."), code="username_length")
    allowed = _LATIN_LETTERS | _ARABIC_LETTERS | _USERNAME_OTHERS
    if any(ch.isalpha() and ch not in allowed for ch in username):
        raise ValidationError(
            _(
                "Use Latin letters (a-z) or Arabic letters in a username. Letters of other "
                "alphabets and accented letters are refused, because they can look like others."
            ),
            code="username_script",
        )
    if any(ch not in allowed for ch in username):
        raise ValidationError(
            _("Use only letters, digits, dots, hyphens and underscores in a username."),
            code="username_characters",
        )
    if any(ch in _LATIN_LETTERS for ch in username) and any(
        ch in _ARABIC_LETTERS for ch in username
    ):
        raise ValidationError(
            _("Use either Latin or Arabic letters in a username, not both."),
            code="username_mixed_scripts",
        )


def clean_person_name(name: str) -> str:
    """Return a full name with its spaces tidied, or refuse it with a message for the field.

    Letters of any alphabet (Arabic included) with their accents and marks, spaces, hyphens,
    apostrophes and dots. Invisible characters that reorder or hide text (bidirectional
    overrides, isolates and marks, zero-width characters) are refused, as are digits and symbols.
    """
    text = unicodedata.normalize("NFC", name or "")
    if any(unicodedata.category(ch) in ("Cf", "Cc", "Co", "Cs", "Cn") for ch in text):
        raise ValidationError(
            _(
                "A name cannot contain invisible or text-direction characters. Type it again "
                "without pasting."
            ),
            code="name_invisible",
        )
    text = " ".join(text.split())
    if not text:
        raise ValidationError(_("Enter your full name."), code="name_empty")
    if len(text) > MAX_NAME_LENGTH:
        raise ValidationError(_("A name can have at most 150 characters."), code="name_too_long")
    for ch in text:
        category = unicodedata.category(ch)
        if not (category[0] in "LM" or ch == " " or ch in _NAME_PUNCTUATION):
            raise ValidationError(
                _("Use only letters, spaces, hyphens and apostrophes in a name."),
                code="name_characters",
            )
    if not any(unicodedata.category(ch)[0] == "L" for ch in text):
        raise ValidationError(_("Enter your full name."), code="name_empty")
    return text


def clean_account_email(email: str) -> str:
    """Return an email address as the account keeps it, or refuse it.

    Django's address rules, and no invisible characters or digits other than 0-9, so the address
    signs in exactly as it is written (the login lookup ignores those characters).
    """
    email = (email or "").strip()
    validate_email(email)
    if any(
        unicodedata.category(ch) in ("Cf", "Cc", "Zs", "Zl", "Zp")
        or (ch.isdigit() and not "0" <= ch <= "9")
        for ch in email
    ):
        raise ValidationError(_("Enter a valid email address."), code="invalid")
    return email


def validate_date_of_birth(born: date, *, today: date) -> None:
    """Refuse dates in the future, before 1900, and ages under the store's minimum."""
    if born > today:
        raise ValidationError(_("A date of birth cannot be in the future."), code="dob_future")
    if born.year < 1900:
        raise ValidationError(_("Enter a date of birth after 1900."), code="dob_too_early")
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    minimum = settings.LUMEIRE_MIN_AGE
    if age < minimum:
        raise ValidationError(
            ngettext(
                "You must be at least %(age)d year old to open an account.",
                "You must be at least %(age)d years old to open an account.",
                minimum,
            )
            % {"age": minimum},
            code="under_age",
        )


def validate_recovery_answer(answer: str, *, forbidden: tuple[str, ...] = ()) -> str:
    """Return the normalised answer, refusing short ones and ones equal to the login details."""
    normalised = normalize_recovery_answer(answer)
    if len(normalised) < 3:
        raise ValidationError(_("The answer needs at least 3 characters."), code="answer_too_short")
    if len(normalised) > 200:
        raise ValidationError(_("The answer can have at most 200 characters."), code="answer_long")
    if normalised in {normalize_recovery_answer(value) for value in forbidden if value}:
        raise ValidationError(
            _("Choose an answer that is not your username, email or password."),
            code="answer_is_login",
        )
    return normalised


class MaximumLengthValidator:
    """Passwords longer than the maximum are refused, never silently truncated."""

    def __init__(self, max_length: int = 128) -> None:
        self.max_length = max_length

    def validate(self, password: str, user: object = None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(
                _("A password can have at most %(max)d characters.") % {"max": self.max_length},
                code="password_too_long",
            )

    def get_help_text(self) -> str:
        return _("At most %(max)d characters.") % {"max": self.max_length}


class ContextWordsValidator:
    """Refuse passwords built around the store's own name, which guessers try first."""

    WORDS = ("lumeire", "lumiere", "لوميير")

    def validate(self, password: str, user: object = None) -> None:
        folded = password.casefold()
        stripped = re.sub(r"[\W\d_]+", "", folded)
        for word in self.WORDS:
            if word in folded and len(stripped) <= len(word) * 2:
                raise ValidationError(
                    _("This password is built around the store's name; choose another."),
                    code="password_context",
                )

    def get_help_text(self) -> str:
        return _("Not built around the store's name.")


# Django's own messages are not all translated into Arabic; these say the same in the store's
# words, translated in the store's catalogue.
class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self) -> str:
        return _("This password is too short. Use at least %(min_length)d characters.") % {
            "min_length": self.min_length
        }

    def get_help_text(self) -> str:
        return _("At least %(min_length)d characters; a few unrelated words work well.") % {
            "min_length": self.min_length
        }


class UserAttributeSimilarityValidator(password_validation.UserAttributeSimilarityValidator):
    def get_error_message(self) -> str:
        return _("This password is too close to your username or email.")

    def get_help_text(self) -> str:
        return _("Not close to your username or email.")


class CommonPasswordValidator(password_validation.CommonPasswordValidator):
    def get_error_message(self) -> str:
        return _("This password is on a list of commonly used passwords. Choose another.")

    def get_help_text(self) -> str:
        return _("Not a commonly used password.")
