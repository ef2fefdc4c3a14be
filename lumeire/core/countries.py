"""Country names as people read them: addresses keep the ISO code ("SA"), pages show the name
in the reader's language ("Saudi Arabia", "المملكة العربية السعودية")."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# Every country the store delivers to (settings.LUMEIRE_SHIPPING_COUNTRIES) has its name here.
COUNTRY_NAMES = {"SA": _("Saudi Arabia")}


def country_name(code: object) -> str:
    """The country's name in the active language; an unknown code is shown as it is."""
    text = "" if code is None else str(code).strip()
    name = COUNTRY_NAMES.get(text.upper())
    return text if name is None else str(name)
