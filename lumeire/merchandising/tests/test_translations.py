"""The home page banners' Arabic catalogue is complete, compiled, and covers every string the
app's code and template show."""

from __future__ import annotations

from pathlib import Path

import polib
from django.utils import translation

from lumeire.core.tests.translations import app_strings

APP = Path(__file__).resolve().parent.parent
CATALOGUE = APP / "locale" / "ar" / "LC_MESSAGES"


def _source_strings() -> set[str]:
    return app_strings(APP, templates=True)


def test_every_arabic_entry_is_translated_compiled_and_none_is_fuzzy():
    po = polib.pofile(str(CATALOGUE / "django.po"))
    assert po.untranslated_entries() == []
    assert po.fuzzy_entries() == []
    compiled = polib.mofile(str(CATALOGUE / "django.mo"))
    compiled_entries = {entry.msgid: entry.msgstr for entry in compiled if entry.msgid}
    assert compiled_entries == {entry.msgid: entry.msgstr for entry in po.translated_entries()}


def test_every_string_of_the_code_and_template_is_in_the_catalogue():
    known = {entry.msgid for entry in polib.pofile(str(CATALOGUE / "django.po"))}
    strings = _source_strings()
    assert "Highlights of the store" in strings and "home page banner" in strings
    assert strings - known == set()


def test_a_refusal_reads_in_arabic():
    with translation.override("ar"):
        assert translation.gettext("The end must come after the start.") == (
            "يجب أن يأتي وقت الانتهاء بعد وقت البدء."
        )
