"""One way of writing dates and money per language, everywhere in the store."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.template import Context, Template
from django.utils import formats, translation

from lumeire.core.formatting import date_text, datetime_text, money_text

MOMENT = datetime(2026, 12, 8, 11, 5, tzinfo=UTC)  # 14:05 in Riyadh
LUMEIRE = Path(settings.BASE_DIR) / "lumeire"


def test_arabic_dates_use_arabic_month_names_and_the_arabic_comma():
    with translation.override("ar"):
        assert date_text(MOMENT) == "8 ديسمبر 2026"
        assert datetime_text(MOMENT) == "8 ديسمبر 2026، 14:05"
        # Django's own formats, which templates name, say the same.
        assert formats.date_format(MOMENT.astimezone(), "DATE_FORMAT").startswith("8 ديسمبر")
        rendered = Template('{{ when|date:"DATETIME_FORMAT" }}').render(Context({"when": MOMENT}))
    assert "," not in rendered and "،" in rendered and "ديسمبر" in rendered


def test_english_dates_have_one_pattern_with_and_without_a_time():
    with translation.override("en"):
        assert date_text(MOMENT) == "8 December 2026"
        assert datetime_text(MOMENT) == "8 December 2026, 14:05"
        assert date_text(date(2026, 1, 2)) == "2 January 2026"
        rendered = Template('{{ when|date:"DATE_FORMAT" }}').render(Context({"when": MOMENT}))
    assert rendered == "8 December 2026"


def test_iso_text_is_written_as_a_date_and_other_text_is_kept():
    with translation.override("ar"):
        assert datetime_text("2026-12-08T11:05:00+00:00") == "8 ديسمبر 2026، 14:05"
        assert date_text("1990-05-17") == "17 مايو 1990"
    assert datetime_text(None) == "" and datetime_text("—") == "—"


def test_money_reads_riyal_sign_in_arabic_and_sar_in_english():
    with translation.override("ar"):
        assert money_text(Decimal("1234.5")) == "1,234.50\u00a0ر.س"
        shop = Template("{% load shop %}{{ amount|money }}").render(Context({"amount": 5}))
        core = Template("{% load lumeire_format %}{{ amount|money }}").render(
            Context({"amount": 5})
        )
    assert shop == core == "5.00\u00a0ر.س"
    with translation.override("en"):
        assert money_text(Decimal("0.005")) == "0.01\u00a0SAR"
    assert money_text(None) == ""


def test_no_template_writes_its_own_date_pattern():
    # Every date goes through DATE_FORMAT / DATETIME_FORMAT or the store's filters; "c" is the
    # machine-readable datetime attribute.
    pattern = re.compile(r"""\|date:["'](?!DATE_FORMAT|DATETIME_FORMAT|c["'])""")
    found = [
        f"{path.relative_to(LUMEIRE)}"
        for path in LUMEIRE.rglob("templates/**/*")
        if path.suffix in (".html", ".txt") and pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []
