"""The audit log's Arabic catalogue is complete and compiled, and its page reads in Arabic."""

from __future__ import annotations

from pathlib import Path

import polib
from django.utils import translation

from lumeire.audit.models import AuditAction, RevealReason
from lumeire.audit.selectors import TERM_HELP

CATALOGUE = Path(__file__).resolve().parent.parent / "locale" / "ar" / "LC_MESSAGES"


def test_every_arabic_entry_is_translated_compiled_and_none_is_fuzzy():
    po = polib.pofile(str(CATALOGUE / "django.po"))
    assert po.untranslated_entries() == []
    assert po.fuzzy_entries() == []
    compiled = polib.mofile(str(CATALOGUE / "django.mo"))
    assert {e.msgid: e.msgstr for e in compiled if e.msgid} == {
        e.msgid: e.msgstr for e in po.translated_entries()
    }


def test_actions_reasons_and_the_search_help_read_in_arabic():
    with translation.override("ar"):
        assert str(AuditAction.REVEAL.label) == "كُشفت قيمة شخصية"
        assert str(RevealReason.FRAUD_REVIEW.label) == "مراجعة احتيال"
        assert str(TERM_HELP).startswith("معرّف حساب موظف أو عميل")


def test_every_action_has_an_arabic_label():
    english = {action.value: str(action.label) for action in AuditAction}
    with translation.override("ar"):
        untranslated = [a.value for a in AuditAction if str(a.label) == english[a.value]]
    assert untranslated == []
