"""The back office's Arabic catalogue is complete, compiled and covers every string it shows."""

from __future__ import annotations

from pathlib import Path

import polib
from django.utils import translation

from lumeire.core.tests.translations import app_strings

BACKOFFICE = Path(__file__).resolve().parent.parent
CATALOGUE = BACKOFFICE / "locale" / "ar" / "LC_MESSAGES"
# The case pages' words live with the rest of the compliance app's, in its own catalogue.
COMPLIANCE_CATALOGUE = BACKOFFICE.parent / "compliance" / "locale" / "ar" / "LC_MESSAGES"


def _source_strings() -> set[str]:
    return app_strings(BACKOFFICE)


def test_every_arabic_entry_is_translated_compiled_and_none_is_fuzzy():
    po = polib.pofile(str(CATALOGUE / "django.po"))
    assert po.untranslated_entries() == []
    assert po.fuzzy_entries() == []
    compiled = polib.mofile(str(CATALOGUE / "django.mo"))
    compiled_entries = {entry.msgid: entry.msgstr for entry in compiled if entry.msgid}
    assert compiled_entries == {entry.msgid: entry.msgstr for entry in po.translated_entries()}


def test_every_string_of_the_back_office_code_is_in_the_catalogue():
    known = {
        entry.msgid
        for catalogue in (CATALOGUE, COMPLIANCE_CATALOGUE)
        for entry in polib.pofile(str(catalogue / "django.po")).translated_entries()
    }
    assert _source_strings() - known == set()


def test_refusals_read_in_arabic():
    with translation.override("ar"):
        assert translation.gettext("A price cannot be below zero.") == (
            "لا يمكن أن يكون السعر أقل من صفر."
        )
