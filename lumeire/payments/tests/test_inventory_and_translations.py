"""The card data is in the data inventory, and every message of the app has its Arabic."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import polib
from django.utils.translation.template import templatize

from lumeire.payments.models import TestGatewayCard, TestGatewayCharge
from lumeire.vault.inventory import Category, PolicyClause, check_inventory, inventory

APP = Path(__file__).resolve().parent.parent
CATALOGUE = APP / "locale" / "ar" / "LC_MESSAGES"
GETTEXT = {"_", "gettext", "gettext_lazy", "pgettext", "pgettext_lazy"}
TEMPLATIZED_CALL = re.compile(r"""gettext\(u?('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")\)""")
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|\{[a-z_]*\}")


def _po() -> polib.POFile:
    return polib.pofile(str(CATALOGUE / "django.po"))


def _python_strings() -> set[str]:
    found = set()
    for module in APP.rglob("*.py"):
        if "tests" in module.parts or "migrations" in module.parts:
            continue
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in GETTEXT
                and node.args
                and isinstance(node.args[-1], ast.Constant)
                and isinstance(node.args[-1].value, str)
            ):
                found.add(node.args[-1].value)
    return found


def _template_strings() -> set[str]:
    found = set()
    for template in (APP / "templates").rglob("*.html"):
        source = templatize(template.read_text(encoding="utf-8"), origin=str(template))
        found.update(ast.literal_eval(match) for match in TEMPLATIZED_CALL.findall(source))
    return found


def test_card_data_is_declared_as_financial_data_for_dealings_with_the_store():
    declared = {
        entry.field_name: entry.declaration
        for entry in inventory([TestGatewayCard, TestGatewayCharge])
    }

    assert set(declared) == {"brand", "last4", "exp_month", "exp_year"}
    for declaration in declared.values():
        assert declaration.category == Category.FINANCIAL
        assert declaration.policy_clause == PolicyClause.DEALINGS
        assert str(declaration.purpose) and str(declaration.retention.after)


def test_the_inventory_check_passes():
    assert [e for e in check_inventory() if e.id.startswith("vault.")] == []


def test_the_arabic_catalogue_is_complete_compiled_and_has_six_plural_forms():
    po = _po()

    assert po.metadata["Language"] == "ar"
    assert po.metadata["Plural-Forms"].startswith("nplurals=6;")
    assert po.untranslated_entries() == []
    assert po.fuzzy_entries() == []
    assert not po.metadata_is_fuzzy
    compiled = {e.msgid: e.msgstr for e in polib.mofile(str(CATALOGUE / "django.mo")) if e.msgid}
    assert compiled == {e.msgid: e.msgstr for e in po.translated_entries()}, "run msgfmt"


def test_the_catalogue_covers_every_message_and_keeps_placeholders():
    po = _po()
    known = {entry.msgid for entry in po.translated_entries()}
    shown = _python_strings() | _template_strings()

    assert "Pay by card" in shown and "Card number" in shown, "the scanners found the strings"
    assert sorted(shown - known) == [], "run makemessages in lumeire/payments and translate"
    for entry in po.translated_entries():
        assert sorted(PLACEHOLDER.findall(entry.msgstr)) == sorted(
            PLACEHOLDER.findall(entry.msgid)
        ), entry.msgid
