"""The store names the identity number in the policy's own words, in both languages: "national
ID or residence number (iqama)", "رقم الهوية الوطنية أو رقم الإقامة"; never "identity number"."""

from __future__ import annotations

import re
from pathlib import Path

import polib
from django.conf import settings

LUMEIRE = Path(settings.BASE_DIR) / "lumeire"
ARABIC_WORDS = "رقم الهوية الوطنية أو رقم الإقامة"
# "رقم الهوية" / "رقم هوية" / "أرقام الهوية" not followed by the policy's words.
ARABIC_OLD = re.compile(r"(رقم|أرقام) (الهوية|هوية|هويتك)(?! ?(الوطنية|وطنية))")


def _catalogues() -> list[Path]:
    return sorted(LUMEIRE.glob("**/locale/ar/LC_MESSAGES/django.po"))


def test_no_message_says_identity_number_in_english():
    found = [
        f"{po.relative_to(LUMEIRE)}: {entry.msgid}"
        for po in _catalogues()
        for entry in polib.pofile(str(po))
        if not entry.obsolete and "identity number" in entry.msgid.lower()
    ]
    assert found == []


def test_arabic_messages_use_the_policys_words():
    found = [
        f"{po.relative_to(LUMEIRE)}: {entry.msgstr}"
        for po in _catalogues()
        for entry in polib.pofile(str(po))
        if not entry.obsolete and ARABIC_OLD.search(entry.msgstr)
    ]
    assert found == []
    english = polib.pofile(str(LUMEIRE / "core/locale/ar/LC_MESSAGES/django.po"))
    assert any(ARABIC_WORDS in entry.msgstr for entry in english)


def test_no_template_says_identity_number():
    found = []
    for template in LUMEIRE.rglob("templates/**/*"):
        if template.suffix not in (".html", ".txt"):
            continue
        text = re.sub(
            r"{% comment %}.*?{% endcomment %}", "", template.read_text("utf-8"), flags=re.S
        )
        if "identity number" in text.lower():
            found.append(str(template.relative_to(LUMEIRE)))
    assert found == []
