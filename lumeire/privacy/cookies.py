"""The cookie registry: every cookie the store may set, and the visitor's consent to the optional.

The registry is the truth the privacy policy and the cookie middleware both read: a cookie that
is not listed here is dropped before it reaches a browser, and an optional one is set only after
the visitor accepted its category. Names follow the running settings (the HTTPS deployment uses
``__Host-`` names).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

ESSENTIAL = "essential"
RECENTLY_VIEWED = "recently_viewed"
STATISTICS = "statistics"

CONSENT_COOKIE_NAME = "lumeire_consent"
RECENTLY_VIEWED_COOKIE_NAME = "lumeire_recent"
STATISTICS_COOKIE_NAME = "lumeire_stats"
MESSAGES_COOKIE_NAME = "messages"  # django.contrib.messages' cookie storage

CONSENT_LIFETIME = timedelta(days=180)
RECENTLY_VIEWED_LIFETIME = timedelta(days=30)
STATISTICS_LIFETIME = timedelta(days=180)


def lifetime_words(period: timedelta) -> str:
    """A length of time as a person says it: "30 minutes", "12 hours", "180 days", "1 year".

    The one wording of a duration on the policy and on the cookie settings page, so the two
    can never say different things about the same cookie."""
    seconds = int(period.total_seconds())
    days = period.days
    if days and seconds % 86400 == 0 and days % 365 == 0:
        years = days // 365
        return ngettext("%(count)d year", "%(count)d years", years) % {"count": years}
    if days >= 1:
        return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}
    if seconds >= 3600 and seconds % 3600 == 0:
        hours = seconds // 3600
        return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
    minutes = max(1, seconds // 60)
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}


@dataclass(frozen=True)
class CookieSpec:
    name: str
    purpose: object  # a lazy translated string
    lifetime: timedelta | None  # None: until the browser is closed
    category: str
    essential: bool
    # The session cookie only: how long a session lasts at most however active it is, and how
    # long it lasts when the customer chose "Keep me signed in on this device" at sign-in.
    absolute_lifetime: timedelta | None = None
    remembered_lifetime: timedelta | None = None

    @property
    def lifetime_text(self) -> str:
        """How long the cookie is kept, in the active language: the policy and the cookie
        settings page both print this, from the settings the store runs with."""
        if self.lifetime is None:
            return gettext("until you close the browser")
        kept = lifetime_words(self.lifetime)
        if self.absolute_lifetime is None or self.remembered_lifetime is None:
            return kept
        return gettext(
            "%(idle)s without activity (%(limit)s at most), or %(remembered)s if you choose "
            "“Keep me signed in on this device”"
        ) % {
            "idle": kept,
            "limit": lifetime_words(self.absolute_lifetime),
            "remembered": lifetime_words(self.remembered_lifetime),
        }


OPTIONAL_CATEGORIES: tuple[tuple[str, object, object], ...] = (
    (
        RECENTLY_VIEWED,
        _("Remember my recently viewed products"),
        _("Keeps the last few products you looked at in this browser, to show them again."),
    ),
    (
        STATISTICS,
        _("Anonymous statistics"),
        _(
            "A random number, not linked to you, lets us count page views per day. "
            "Nothing is shared with anyone else."
        ),
    ),
)
OPTIONAL_CATEGORY_CODES = frozenset(code for code, _label, _description in OPTIONAL_CATEGORIES)


def _registry() -> tuple[CookieSpec, ...]:
    return (
        CookieSpec(
            settings.SESSION_COOKIE_NAME,
            _("Keeps you signed in and remembers your cart."),
            timedelta(seconds=settings.SESSION_COOKIE_AGE),
            ESSENTIAL,
            True,
            absolute_lifetime=settings.LUMEIRE_SESSION_ABSOLUTE_LIFETIME,
            remembered_lifetime=settings.LUMEIRE_REMEMBER_ME_LIFETIME,
        ),
        CookieSpec(
            settings.CSRF_COOKIE_NAME,
            _("Protects your forms against being sent by another site."),
            timedelta(seconds=settings.CSRF_COOKIE_AGE),
            ESSENTIAL,
            True,
        ),
        CookieSpec(
            settings.LANGUAGE_COOKIE_NAME,
            _("Remembers the language you chose."),
            timedelta(seconds=settings.LANGUAGE_COOKIE_AGE),
            ESSENTIAL,
            True,
        ),
        CookieSpec(
            MESSAGES_COOKIE_NAME,
            _("Carries a confirmation to the next page you see, then is deleted."),
            None,
            ESSENTIAL,
            True,
        ),
        CookieSpec(
            CONSENT_COOKIE_NAME,
            _("Remembers which optional cookies you accepted."),
            CONSENT_LIFETIME,
            ESSENTIAL,
            True,
        ),
        CookieSpec(
            RECENTLY_VIEWED_COOKIE_NAME,
            _("Remembers the last few products you viewed."),
            RECENTLY_VIEWED_LIFETIME,
            RECENTLY_VIEWED,
            False,
        ),
        CookieSpec(
            STATISTICS_COOKIE_NAME,
            _("A random number that lets us count page views anonymously."),
            STATISTICS_LIFETIME,
            STATISTICS,
            False,
        ),
    )


COOKIES: tuple[CookieSpec, ...] = _registry()


def registry() -> tuple[CookieSpec, ...]:
    """The registry under the settings in force now (tests may rename the framework's cookies)."""
    return _registry()


def cookie_spec(name: str) -> CookieSpec | None:
    """The registered cookie called ``name``, or None: an unknown cookie is never set."""
    for spec in registry():
        if spec.name == name:
            return spec
    return None


# --- The consent cookie -----------------------------------------------------------------------
#
# Its value is "<consent id>" followed by ".<category>" per accepted optional category: the
# random id links the browser's choices to their ConsentRecord rows, and nothing in it is
# personal. A value that does not parse counts as no choice, so the banner asks again.

_CONSENT_ID = re.compile(r"^[0-9a-f]{32}$")


@dataclass(frozen=True)
class Consent:
    """A visitor's choice: ``chosen`` is False until they answered the banner."""

    chosen: bool
    consent_id: str
    categories: frozenset[str]


NO_CHOICE = Consent(chosen=False, consent_id="", categories=frozenset())


def new_consent_id() -> str:
    return secrets.token_hex(16)


def consent_cookie_value(consent_id: str, categories: frozenset[str] | set[str]) -> str:
    return ".".join([consent_id, *sorted(categories)])


def parse_consent(raw: str | None) -> Consent:
    """The choice a consent cookie carries; anything malformed is no choice at all."""
    if not raw:
        return NO_CHOICE
    consent_id, *categories = raw.split(".")
    if not _CONSENT_ID.match(consent_id) or not set(categories) <= OPTIONAL_CATEGORY_CODES:
        return NO_CHOICE
    return Consent(chosen=True, consent_id=consent_id, categories=frozenset(categories))


def consent_state(request: HttpRequest) -> Consent:
    """The visitor's choice as this request carries it (the middleware caches it on the request)."""
    cached = getattr(request, "consent", None)
    if isinstance(cached, Consent):
        return cached
    return parse_consent(request.COOKIES.get(CONSENT_COOKIE_NAME))


def consent_of(request: HttpRequest) -> frozenset[str]:
    """The optional categories the visitor accepted (none before they chose)."""
    return consent_state(request).categories
