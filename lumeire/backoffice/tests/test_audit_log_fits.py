"""The audit log fits the screen: long ids cut with an ellipsis, the whole value still there."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from lumeire.audit.models import AuditAction, RevealReason
from lumeire.audit.services import audit_record
from lumeire.audit.tests.conftest import make_user, staff_browser
from lumeire.core.tests.markup import parse

pytestmark = pytest.mark.django_db

LIST = "/backoffice/audit/auditentry/"
CSS = Path(settings.BASE_DIR) / "lumeire/backoffice/static/backoffice/backoffice.css"


def _text(element) -> str:
    return element.text + "".join(_text(child) for child in element.children)


def test_long_ids_are_cut_to_their_column_with_the_whole_value_kept():
    staff = make_user(groups=("Customer service",))
    subject = uuid.uuid4()
    entry = audit_record(
        actor=staff,
        action=AuditAction.REVEAL,
        target_type="orders.order",
        target_id="LUM-7K3Q-9F2D",
        subject_id=subject,
        fields=["phone"],
        reason_category=RevealReason.DELIVERY,
        reason="Courier cannot find the building",
    )
    browser = staff_browser(make_user(groups=("Compliance officer",)))
    page = parse(browser.get(LIST).content.decode())

    long_values = {
        span.attrs["title"]: _text(span)
        for span in page.find_all("span")
        if "backoffice-long" in span.attrs.get("class", "")
    }
    for value in (str(subject), str(staff.pk), "LUM-7K3Q-9F2D"):
        assert long_values[value] == value  # the title and the text both hold it whole

    # The entry's page prints its hashes whole, wrapping.
    detail = browser.get(f"{LIST}{entry.pk}/change/").content.decode()
    assert entry.entry_hash in detail and entry.prev_hash in detail


def test_the_list_shares_the_width_and_wraps_instead_of_scrolling_the_page():
    css = CSS.read_text(encoding="utf-8")
    block = css[css.index("/* --- The audit log fits the screen") :]
    assert re.search(r"#result_list \{\s*inline-size: 100%;\s*table-layout: fixed;", block)
    assert "overflow-wrap: anywhere" in block and "text-overflow: ellipsis" in block
    assert re.search(r"\.model-auditentry #changelist \.results \{\s*overflow-x: visible;", block)
