"""The catalogue's and the cart's Arabic catalogues: complete, compiled, and covering every
message and model label of those apps.

Each app keeps its own catalogue. Refresh one from its folder (lumeire/catalog or lumeire/cart)::

    ../../.venv/bin/python ../../manage.py makemessages -l ar --ignore 'tests/*' \\
        --ignore 'migrations/*' --no-obsolete
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
from django.utils.functional import Promise

from lumeire.catalog.models import Category, Product, ProductImage, Variant
from lumeire.storefront.tests.test_translations import gettext_calls, placeholders_are_kept

LUMEIRE = Path(settings.BASE_DIR) / "lumeire"
APPS = ["catalog", "cart"]


def _po(app: str) -> polib.POFile:
    return polib.pofile(str(LUMEIRE / app / "locale" / "ar" / "LC_MESSAGES" / "django.po"))


def _source_strings(app: str) -> set[str]:
    found = set()
    for module in (LUMEIRE / app).rglob("*.py"):
        if "tests" in module.parts or "migrations" in module.parts:
            continue
        found.update(gettext_calls(ast.parse(module.read_text(encoding="utf-8"))))
    return found


@pytest.mark.parametrize("app", APPS)
def test_every_entry_is_translated_none_is_fuzzy_and_plurals_have_six_forms(app):
    po = _po(app)

    assert po.metadata["Language"] == "ar"
    assert po.metadata["Plural-Forms"].startswith("nplurals=6;")
    assert po.untranslated_entries() == []
    assert po.fuzzy_entries() == []
    assert not po.metadata_is_fuzzy


@pytest.mark.parametrize("app", APPS)
def test_the_catalogue_covers_every_message_of_the_app(app):
    known = {entry.msgid for entry in _po(app).translated_entries()}
    shown = _source_strings(app)

    assert len(shown) > 4, "the scanner found the app's messages"
    assert sorted(shown - known) == [], f"run makemessages in lumeire/{app} and translate"


@pytest.mark.parametrize("app", APPS)
def test_translations_keep_every_placeholder(app):
    placeholders_are_kept(_po(app))


@pytest.mark.parametrize("app", APPS)
def test_the_compiled_catalogue_matches_the_source(app):
    def table(entries) -> dict[str, object]:
        return {
            entry.msgid: (
                {int(k): v for k, v in entry.msgstr_plural.items()}
                if entry.msgid_plural
                else entry.msgstr
            )
            for entry in entries
            if entry.msgid
        }

    compiled = polib.mofile(str(LUMEIRE / app / "locale" / "ar" / "LC_MESSAGES" / "django.mo"))

    assert table(compiled) == table(_po(app).translated_entries()), "run msgfmt"


@pytest.mark.parametrize("model", [Category, Product, Variant, ProductImage])
def test_every_catalogue_field_has_a_translatable_label_that_reads_in_arabic(model):
    fields = [f for f in model._meta.get_fields() if not f.auto_created and f.concrete]

    for field in fields:
        assert isinstance(field.verbose_name, Promise), f"{model.__name__}.{field.name}"
    with translation.override("ar"):
        labels = [str(field.verbose_name) for field in fields]
        names = [str(model._meta.verbose_name), str(model._meta.verbose_name_plural)]
    for label in labels + names:
        assert any("\u0600" <= ch <= "\u06ff" for ch in label), (model.__name__, label)


@pytest.mark.parametrize(
    ("english", "arabic"),
    [
        ("Enter a number such as 100 or 49.90.", "أدخل رقمًا مثل 100 أو 49.90."),
        ("This product is not available.", "هذا المنتج غير متوفر."),
    ],
)
def test_refusals_of_the_catalogue_and_the_cart_read_in_arabic(english, arabic):
    with translation.override("ar"):
        assert translation.gettext(english) == arabic


@pytest.mark.parametrize(
    ("count", "expected"),
    [(1, "تبقّت قطعة واحدة فقط."), (2, "تبقّت قطعتان فقط."), (5, "تبقّت 5 قطع فقط.")],
)
def test_only_so_many_left_counts_the_arabic_way(count, expected):
    with translation.override("ar"):
        message = translation.ngettext("Only %(count)d left.", "Only %(count)d left.", count)

    assert message % {"count": count} == expected
