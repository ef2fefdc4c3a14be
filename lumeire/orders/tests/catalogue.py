"""Checks shared by the apps' translation tests: is an app's Arabic catalogue whole and current?"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import polib
from django.utils.translation.template import templatize

GETTEXT_CALLS = {
    "_",
    "gettext",
    "gettext_lazy",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
}
# What templatize writes for {% translate %} and {% blocktranslate %} (with %(name)s for vars).
TEMPLATE_CALL = re.compile(r"""gettext\(u?('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")\)""")
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]")


def arabic_po(app: Path) -> polib.POFile:
    return polib.pofile(str(app / "locale" / "ar" / "LC_MESSAGES" / "django.po"))


def arabic_mo(app: Path) -> polib.MOFile:
    return polib.mofile(str(app / "locale" / "ar" / "LC_MESSAGES" / "django.mo"))


def shown_strings(app: Path) -> set[str]:
    """Every string the app's code and templates pass to gettext (tests and migrations aside)."""
    found: set[str] = set()
    for module in app.rglob("*.py"):
        if {"tests", "migrations"} & set(module.relative_to(app).parts):
            continue
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in GETTEXT_CALLS
            ):
                continue
            # pgettext(context, message): the message is the second argument.
            position = 1 if node.func.id.startswith("pgettext") else 0
            if len(node.args) > position and isinstance(node.args[position], ast.Constant):
                found.add(str(node.args[position].value))
    for template in (app / "templates").rglob("*.*") if (app / "templates").exists() else ():
        source = templatize(template.read_text(encoding="utf-8"), origin=str(template))
        found.update(ast.literal_eval(match) for match in TEMPLATE_CALL.findall(source))
    return found


def catalogue_problems(app: Path) -> list[str]:
    """What is wrong with the app's Arabic catalogue; an empty list when nothing is."""
    po = arabic_po(app)
    problems = []
    if po.metadata.get("Language") != "ar" or po.metadata_is_fuzzy:
        problems.append("the header is not a finished Arabic header")
    if not po.metadata.get("Plural-Forms", "").startswith("nplurals=6;"):
        problems.append("Arabic has six plural forms")
    problems += [f"untranslated: {e.msgid}" for e in po.untranslated_entries()]
    problems += [f"fuzzy: {e.msgid}" for e in po.fuzzy_entries()]
    known = {entry.msgid for entry in po.translated_entries()}
    problems += [f"not in the catalogue: {text}" for text in sorted(shown_strings(app) - known)]
    for entry in po.translated_entries():
        wanted = sorted(set(PLACEHOLDER.findall(entry.msgid)))
        forms = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        problems += [
            f"placeholders differ: {entry.msgid}"
            for form in forms
            if sorted(set(PLACEHOLDER.findall(form))) != wanted
        ]
    compiled = {(e.msgid, e.msgstr) for e in arabic_mo(app) if e.msgid and not e.msgid_plural}
    written = {(e.msgid, e.msgstr) for e in po.translated_entries() if not e.msgid_plural}
    if compiled != written:
        problems.append("django.mo is older than django.po: run compilemessages")
    return problems
