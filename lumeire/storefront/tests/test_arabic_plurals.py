"""Arabic counts in six forms, in every Arabic catalogue of the store.

Arabic says a number of things six ways (Plural-Forms: n==0 ? 0 : n==1 ? 1 : n==2 ? 2 :
n%100 in 3..10 ? 3 : n%100 in 11..99 ? 4 : 5)::

    0    "0 يوم"       the number, the noun
    1    "يوم واحد"    the singular, the number spelt out
    2    "يومان"       the dual (after a preposition: "بعد يومين")
    3    "5 أيام"      3 to 10: the plural
    4    "11 يومًا"    11 to 99: the singular, accusative
    5    "100 يوم"     100 and more: the singular, genitive

An entry that gives one wording for every form reads "بعد 2 يوم" for two days: the dual and the
3-to-10 form are then the same text, which is what these tests look for. After changing a plural
entry, compile its catalogue (see test_translations.py) and run these tests.
"""

from __future__ import annotations

import gettext
import re
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import ngettext

from lumeire.storefront.templatetags.consent import lifetime_words
from lumeire.storefront.tests.test_translations import PLACEHOLDER

LUMEIRE = Path(settings.BASE_DIR) / "lumeire"
CATALOGUES = sorted(LUMEIRE.rglob("locale/ar/LC_MESSAGES/django.po"))
FORMS = range(6)
# The form each count takes, with a number of each: 0, 1, 2, 3-10, 11-99, 100-102.
EXPECTED_FORM = {0: 0, 1: 1, 2: 2, 3: 3, 10: 3, 11: 4, 99: 4, 100: 5, 101: 5, 102: 5, 103: 3}


def _name(path: Path) -> str:
    app = str(path.relative_to(LUMEIRE).parents[3])
    return "lumeire" if app == "." else app


def _plural_entries(path: Path) -> list[polib.POEntry]:
    return [entry for entry in polib.pofile(str(path)) if entry.msgid_plural and not entry.obsolete]


def test_every_arabic_catalogue_is_found():
    names = {_name(path) for path in CATALOGUES}

    assert {"lumeire", "accounts", "cart", "checkout", "privacy", "backoffice"} <= names, names


@pytest.mark.parametrize("path", CATALOGUES, ids=_name)
def test_the_catalogue_declares_the_six_arabic_forms(path):
    header = polib.pofile(str(path)).metadata["Plural-Forms"]
    nplurals, expression = re.fullmatch(r"\s*nplurals=(\d+);\s*plural=(.+?);?\s*", header).groups()
    plural = gettext.c2py(expression)

    assert int(nplurals) == 6
    assert {n: plural(n) for n in EXPECTED_FORM} == EXPECTED_FORM


@pytest.mark.parametrize("path", CATALOGUES, ids=_name)
def test_every_plural_entry_has_six_distinct_arabic_forms(path):
    for entry in _plural_entries(path):
        forms = {int(form): text for form, text in entry.msgstr_plural.items()}

        assert sorted(forms) == list(FORMS), (entry.msgid, "six forms, 0 to 5")
        assert all(text.strip() for text in forms.values()), (entry.msgid, "an empty form")
        assert forms[2] != forms[3], (entry.msgid, "one wording for two and for three to ten")


@pytest.mark.parametrize("path", CATALOGUES, ids=_name)
def test_every_form_that_shows_the_number_keeps_the_placeholders(path):
    """Forms 1 and 2 may spell the number out ("يوم واحد", "يومان"); every other placeholder
    (a product's name, say) stays in them, and the other forms keep all of them."""
    for entry in _plural_entries(path):
        expected = sorted(PLACEHOLDER.findall(entry.msgid))
        for form, text in entry.msgstr_plural.items():
            found = sorted(PLACEHOLDER.findall(text))
            if int(form) in (1, 2):
                assert set(found) <= set(expected), (entry.msgid, form)
                assert len(set(found)) >= len(set(expected)) - 1, (entry.msgid, form)
            else:
                assert found == expected, (entry.msgid, form)


@pytest.mark.parametrize("path", CATALOGUES, ids=_name)
def test_the_compiled_catalogue_has_the_same_plural_forms(path):
    compiled = {
        entry.msgid: {int(form): text for form, text in entry.msgstr_plural.items()}
        for entry in polib.mofile(str(path.with_suffix(".mo")))
        if entry.msgid_plural
    }
    source = {
        entry.msgid: {int(form): text for form, text in entry.msgstr_plural.items()}
        for entry in _plural_entries(path)
    }

    assert compiled == source, "run compilemessages: the .mo is older than the .po"


MSGFMT = shutil.which("msgfmt")


@pytest.mark.skipif(MSGFMT is None, reason="gettext's msgfmt is not installed")
@pytest.mark.parametrize("path", CATALOGUES, ids=_name)
def test_msgfmt_checks_the_catalogue(path):
    result = subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [MSGFMT, "--check", "-o", "/dev/null", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr


DELETED_IN = (
    "Confirm, and your account will be deleted in %(days)s day. Signing in before then cancels "
    "the deletion.",
    "Confirm, and your account will be deleted in %(days)s days. Signing in before then cancels "
    "the deletion.",
)


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (1, "أكّد، وسيُحذف حسابك بعد يوم واحد. تسجيل الدخول قبل ذلك يلغي الحذف."),
        (2, "أكّد، وسيُحذف حسابك بعد يومين. تسجيل الدخول قبل ذلك يلغي الحذف."),
        (5, "أكّد، وسيُحذف حسابك بعد 5 أيام. تسجيل الدخول قبل ذلك يلغي الحذف."),
        (11, "أكّد، وسيُحذف حسابك بعد 11 يومًا. تسجيل الدخول قبل ذلك يلغي الحذف."),
        (100, "أكّد، وسيُحذف حسابك بعد 100 يوم. تسجيل الدخول قبل ذلك يلغي الحذف."),
    ],
)
def test_days_inside_a_sentence_take_the_case_the_sentence_asks(days, expected):
    with translation.override("ar"):
        message = ngettext(*DELETED_IN, days) % {"days": days}

    assert message == expected


@pytest.mark.parametrize(
    ("days", "expected"),
    [(1, "يوم واحد"), (2, "يومان"), (5, "5 أيام"), (11, "11 يومًا"), (100, "100 يوم")],
)
def test_a_cookies_lifetime_counts_days_the_arabic_way(days, expected):
    with translation.override("ar"):
        assert lifetime_words(timedelta(days=days)) == expected


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (1, "تبقّت من العطر قطعة واحدة فقط (1)."),
        (2, "تبقّت من العطر قطعتان فقط (2)."),
        (5, "تبقّت من العطر 5 قطع فقط."),
        (11, "تبقّت من العطر 11 قطعة فقط."),
        (100, "تبقّت من العطر 100 قطعة فقط."),
    ],
)
def test_the_checkouts_stock_refusal_counts_the_arabic_way(count, expected):
    with translation.override("ar"):
        message = ngettext(
            "Only %(count)d of %(product)s is left.",
            "Only %(count)d of %(product)s are left.",
            count,
        ) % {"count": count, "product": "العطر"}

    assert message == expected


@pytest.mark.parametrize(
    ("singular", "plural"),
    [
        ("%(count)d day", "%(count)d days"),
        ("%(count)d minute", "%(count)d minutes"),
        ("%(count)d year", "%(count)d years"),
        ("%(count)d hour", "%(count)d hours"),
        DELETED_IN,
        ("Only %(count)d of %(product)s is left.", "Only %(count)d of %(product)s are left."),
    ],
)
def test_one_two_a_few_and_many_read_differently(singular, plural):
    """1, 2, 5 and 11 take four different wordings: "يوم واحد", "يومان", "5 أيام", "11 يومًا".

    100 may share the wording of 11 ("11 دقيقة", "100 دقيقة"): only a noun that takes tanween
    writes them apart ("11 يومًا", "100 يوم").
    """
    with translation.override("ar"):
        one, two, few, many, hundred = (ngettext(singular, plural, n) for n in (1, 2, 5, 11, 100))

    assert all(any("\u0600" <= ch <= "\u06ff" for ch in text) for text in (one, hundred))
    assert len({one, two, few, many}) == 4, (one, two, few, many)
