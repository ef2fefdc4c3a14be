"""The Arabic catalogue is complete, compiled, and covers every string the storefront shows.

Refresh it from the repository root after changing a user-facing string::

    .venv/bin/python manage.py makemessages -l ar --no-obsolete --ignore '.venv/*' \\
        --ignore 'lumeire/core/*' --ignore 'lumeire/vault/*' --ignore 'lumeire/accounts/*' \\
        --ignore 'lumeire/backoffice/*' --ignore 'lumeire/catalog/*' --ignore 'lumeire/cart/*' \\
        --ignore '*/tests/*' --ignore 'bench/*' --ignore 'e2e/*' --ignore 'var/*' \\
        --ignore 'docs/*' --ignore '*.egg-info/*'
    # translate the new entries, then from lumeire/locale/ar/LC_MESSAGES:
    msgfmt --check -o django.mo django.po

The catalogue and the cart keep their own catalogues (their messages reach the web pages and
the API alike): see test_catalogue_translations.py.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import polib
from django.conf import settings
from django.utils import translation
from django.utils.translation.template import templatize

LUMEIRE = Path(settings.BASE_DIR) / "lumeire"
CATALOGUE = LUMEIRE / "locale" / "ar" / "LC_MESSAGES"
TEMPLATE_DIRS = [LUMEIRE / "templates", LUMEIRE / "storefront" / "templates"]
PYTHON_DIRS = [LUMEIRE / "storefront", LUMEIRE / "api"]
GETTEXT_NAMES = {"_", "gettext", "gettext_lazy", "pgettext", "pgettext_lazy"}
NGETTEXT_NAMES = {"ngettext", "ngettext_lazy"}
TEMPLATIZED_CALL = re.compile(r"""gettext\(u?('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")\)""")
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|\{[a-z_]*\}")


def _po() -> polib.POFile:
    return polib.pofile(str(CATALOGUE / "django.po"))


def _template_strings() -> set[str]:
    found = set()
    for directory in TEMPLATE_DIRS:
        for template in directory.rglob("*.html"):
            source = templatize(template.read_text(encoding="utf-8"), origin=str(template))
            found.update(ast.literal_eval(match) for match in TEMPLATIZED_CALL.findall(source))
    return found


def _language_names() -> set[str]:
    with translation.override(None):
        return {str(name) for _code, name in settings.LANGUAGES}


def _python_strings() -> set[str]:
    found = set()
    for directory in PYTHON_DIRS:
        for module in directory.rglob("*.py"):
            if "tests" in module.parts:
                continue
            tree = ast.parse(module.read_text(encoding="utf-8"))
            found.update(gettext_calls(tree))
    return found


def gettext_calls(tree: ast.AST) -> set[str]:
    """The msgids of every gettext and ngettext call written with literal strings."""
    found = set()
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.args):
            continue
        if node.func.id in GETTEXT_NAMES:
            message = node.args[-1]
        elif node.func.id in NGETTEXT_NAMES:
            message = node.args[0]
        else:
            continue
        if isinstance(message, ast.Constant) and isinstance(message.value, str):
            found.add(message.value)
    return found


def test_every_arabic_entry_is_translated_and_none_is_fuzzy():
    po = _po()

    assert po.metadata["Language"] == "ar"
    assert po.untranslated_entries() == []
    assert po.fuzzy_entries() == []
    assert not po.metadata_is_fuzzy


def test_arabic_plural_forms_are_declared_for_six_forms():
    assert _po().metadata["Plural-Forms"].startswith("nplurals=6;")


def placeholders_are_kept(po: polib.POFile) -> None:
    """Every translation keeps the msgid's placeholders.

    Arabic plural forms for one and two ("دقيقة واحدة", "دقيقتان") spell the number out, so only
    the forms for zero and for three and more must repeat it.
    """
    for entry in po.translated_entries():
        expected = sorted(PLACEHOLDER.findall(entry.msgid))
        if not entry.msgid_plural:
            assert sorted(PLACEHOLDER.findall(entry.msgstr)) == expected, entry.msgid
            continue
        for form, text in entry.msgstr_plural.items():
            found = sorted(PLACEHOLDER.findall(text))
            if int(form) in (1, 2):
                assert set(found) <= set(expected), (entry.msgid, form)
            else:
                assert found == expected, (entry.msgid, form)


def test_translations_keep_every_placeholder():
    placeholders_are_kept(_po())


def test_compiled_catalogue_matches_the_source():
    source = {entry.msgid: entry.msgstr for entry in _po().translated_entries()}
    compiled = {
        entry.msgid: entry.msgstr
        for entry in polib.mofile(str(CATALOGUE / "django.mo"))
        if entry.msgid
    }

    assert compiled == source, "run msgfmt: the .mo is older than the .po"


def test_catalogue_covers_every_string_the_storefront_and_api_show():
    known = {entry.msgid for entry in _po().translated_entries()}
    shown = _template_strings() | _python_strings() | _language_names()

    assert sorted(shown - known) == [], "run makemessages and translate the new strings"


def test_template_scanner_finds_strings_from_both_tag_forms():
    strings = _template_strings()

    assert "Skip to main content" in strings
    assert "Welcome to %(store_name)s" in strings
    assert (
        'I have read and accept the <a href="%(policy_url)s">privacy and confidentiality '
        "policy</a> (version %(version)s)."
    ) in strings
