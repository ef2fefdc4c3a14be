"""The accounts catalogue: every message, label and email of the accounts domain in Arabic.

The accounts app keeps its own catalogue (its messages reach the web pages, the API and the
emails alike). Refresh it from lumeire/accounts after changing a string::

    cd lumeire/accounts
    ../../.venv/bin/python ../../manage.py makemessages -l ar --no-obsolete --ignore 'tests/*'
    # translate the new entries, then from locale/ar/LC_MESSAGES:
    msgfmt --check -o django.mo django.po
"""

from __future__ import annotations

import ast
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import ngettext
from django.utils.translation.template import templatize

from lumeire.accounts.recovery_questions import RecoveryQuestion
from lumeire.accounts.services.signup import customer_sign_up
from lumeire.accounts.tests.factories import sign_up_data
from lumeire.storefront.tests.test_translations import (
    TEMPLATIZED_CALL,
    gettext_calls,
    placeholders_are_kept,
)

ACCOUNTS = Path(settings.BASE_DIR) / "lumeire" / "accounts"
CATALOGUE = ACCOUNTS / "locale" / "ar" / "LC_MESSAGES"


def _po() -> polib.POFile:
    return polib.pofile(str(CATALOGUE / "django.po"))


def _python_strings() -> set[str]:
    found = set()
    for module in ACCOUNTS.rglob("*.py"):
        if "tests" in module.parts or "migrations" in module.parts:
            continue
        found.update(gettext_calls(ast.parse(module.read_text(encoding="utf-8"))))
    return found


def _email_strings() -> set[str]:
    found = set()
    for template in (ACCOUNTS / "templates").rglob("*.txt"):
        source = templatize(template.read_text(encoding="utf-8"), origin=str(template))
        found.update(ast.literal_eval(match) for match in TEMPLATIZED_CALL.findall(source))
    return found


def test_every_accounts_entry_is_translated_and_none_is_fuzzy():
    po = _po()

    assert po.metadata["Language"] == "ar"
    assert po.metadata["Plural-Forms"].startswith("nplurals=6;")
    assert po.untranslated_entries() == []
    assert po.fuzzy_entries() == []


def test_catalogue_covers_every_accounts_message_label_and_email():
    known = {entry.msgid for entry in _po().translated_entries()}
    shown = _python_strings() | _email_strings()

    assert len(_email_strings()) > 20, "the email scanner found the templates"
    assert sorted(shown - known) == [], "run makemessages in lumeire/accounts and translate"


def test_accounts_translations_keep_every_placeholder():
    placeholders_are_kept(_po())


def test_compiled_accounts_catalogue_matches_the_source():
    def table(entries) -> dict[str, object]:
        return {
            entry.msgid: entry.msgstr_plural if entry.msgid_plural else entry.msgstr
            for entry in entries
            if entry.msgid
        }

    compiled = table(polib.mofile(str(CATALOGUE / "django.mo")))
    source = table(_po().translated_entries())
    normalised = {
        key: {int(form): text for form, text in value.items()} if isinstance(value, dict) else value
        for key, value in compiled.items()
    }

    assert normalised == {
        key: {int(form): text for form, text in value.items()} if isinstance(value, dict) else value
        for key, value in source.items()
    }, "run msgfmt: the .mo is older than the .po"


def test_every_recovery_question_reads_in_arabic():
    with translation.override("ar"):
        labels = [str(label) for label in RecoveryQuestion.labels]

    assert len(labels) >= 8
    assert all(any("\u0600" <= ch <= "\u06ff" for ch in label) for label in labels)


@pytest.mark.parametrize(
    ("minutes", "expected"),
    [(1, "دقيقة واحدة"), (2, "دقيقتين"), (5, "5 دقائق"), (15, "15 دقيقة")],
)
def test_the_lock_message_counts_minutes_the_arabic_way(minutes, expected):
    with translation.override("ar"):
        message = ngettext(
            "Too many failed sign-ins. Try again in %(minutes)d minute.",
            "Too many failed sign-ins. Try again in %(minutes)d minutes.",
            minutes,
        ) % {"minutes": minutes}

    assert expected in message


@pytest.mark.django_db
def test_account_emails_are_written_in_the_customers_language(mailoutbox):
    with translation.override("en"):
        customer_sign_up(data=sign_up_data(email="arabic@example.com", language="ar"))

    message = mailoutbox[-1]
    assert message.to == ["arabic@example.com"]
    assert any("\u0600" <= ch <= "\u06ff" for ch in message.subject)
    assert "Confirm your email" not in message.body and "Hello," not in message.body
