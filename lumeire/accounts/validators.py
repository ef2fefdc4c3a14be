"""Rules for what a customer types: username, password, date of birth, recovery answer."""

from __future__ import annotations

import re
from datetime import date

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lumeire.accounts.normalization import normalize_recovery_answer

# Letters of any script (Arabic included), digits, dot, underscore and hyphen.
_USERNAME = re.compile(r"^[\w.\-]+$")


def validate_username(username: str) -> None:
    """3 to 30 characters: letters (Arabic included), digits, ``._-``."""
    if not 3 <= len(username) <= 30:
        raise ValidationError(_("A username has 3 to 30 characters."), code="username_length")
    if not _USERNAME.match(username) or "\u0640" in username:
        raise ValidationError(
            _("Use only letters, digits, dots, hyphens and underscores in a username."),
            code="username_characters",
        )


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
