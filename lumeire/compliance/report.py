"""The report package for the authority: a JSON file and a PDF, built from one approved case.

What goes in: the case (reference, status, signals' rules and scores), the legal summary and
opinion, who asked and who decided (account ids and roles, never names), a timeline made of the
signals' event references and the case's status changes and protective actions (never the notes),
and, under ``personal_data``, only the kinds of data the legal counsel ticked (``REPORT_ITEMS``)
about the case's subject. Values of an erased subject read as null; a case about an address has
no personal data at all. Each file is kept sealed with the case's own data key, with its SHA-256.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from lumeire.accounts.models import Customer, SignInEvent, SignInOutcome, User
from lumeire.checkout.models import Address, PaymentAttempt
from lumeire.compliance.errors import CaseError, CaseErrorCode
from lumeire.compliance.models import Case, CaseEventKind, CaseStatus, ReportFile, Rule
from lumeire.invoicing.pdf import FONT, FONTS
from lumeire.orders.models import Order, OrderStatus, PaymentMethod
from lumeire.staff.access import ROLE_OF_GROUP
from lumeire.vault.cipher import Place, data_key_id_of, open_sealed, seal
from lumeire.vault.errors import VaultError, VaultIntegrityError
from lumeire.vault.fields import is_erased
from lumeire.vault.inventory import Category
from lumeire.vault.selectors import SHREDDED, data_key_for_reading
from lumeire.vault.services import data_key_for_writing

# fontTools logs each glyph it keeps when fpdf2 subsets the font: dozens of INFO lines a PDF.
logging.getLogger("fontTools.subset").setLevel(logging.WARNING)

FORMAT = "lumeire-case-report/1"
# The newest rows of each list a report carries; an account with more says how many were left out.
LIST_LIMIT = 500
ADDRESS_PARTS = (
    "full_name",
    "phone",
    "building",
    "street",
    "district",
    "city",
    "postal_code",
    "country",
)


# --- What the legal counsel can tick ------------------------------------------------------------


def _clear(value: Any) -> Any:
    """A decrypted value as JSON: null when it was erased (its key shredded) or is missing."""
    if value is None or is_erased(value):
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)  # text, and Decimal amounts written exactly


def _newest(rows, limit: int = LIST_LIMIT) -> tuple[list, int]:
    """The newest ``limit`` rows (already ordered newest first) and how many were left out."""
    kept = list(rows[: limit + 1])
    if len(kept) <= limit:
        return kept, 0
    return kept[:limit], rows.count() - limit


def _identity(user: User) -> dict[str, Any]:
    customer = Customer.objects.filter(user_id=user.pk).first()
    return {
        "full_name": _clear(getattr(customer, "full_name", None)),
        "date_of_birth": _clear(getattr(customer, "date_of_birth", None)),
        "identity_number": _clear(getattr(customer, "identity_number", None)),
    }


def _contact(user: User) -> dict[str, Any]:
    # Each part of an address opens with the customer's data key when read (the vault's fields).
    addresses, left_out = _newest(Address.objects.filter(customer_id=user.pk))
    return {
        "email": _clear(user.email),
        "addresses": [
            {part: _clear(getattr(address, part)) for part in ADDRESS_PARTS}
            for address in addresses
        ],
        "addresses_left_out": left_out,
    }


def _credential(user: User) -> dict[str, Any]:
    return {"username": _clear(user.username)}


def _label(choices, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _financial(user: User) -> dict[str, Any]:
    orders, orders_left_out = _newest(
        Order.objects.filter(customer_id=user.pk)
        .order_by("-placed_at", "-id")
        .only(
            "number",
            "placed_at",
            "total",
            "currency",
            "status",
            "payment_method",
            "card_brand",
            "card_last4",
        )
    )
    attempts, attempts_left_out = _newest(
        PaymentAttempt.objects.filter(customer_id=user.pk).order_by("-at", "-id")
    )
    return {
        "orders": [
            {
                "number": order.number,
                "placed_at": _clear(order.placed_at),
                "total": _clear(order.total),
                "currency": order.currency,
                "status": _label(OrderStatus, order.status),
                "payment_method": _label(PaymentMethod, order.payment_method),
                "card_brand": order.card_brand or None,
                "card_last4": order.card_last4 or None,
            }
            for order in orders
        ],
        "orders_left_out": orders_left_out,
        "payment_attempts": [
            {
                "at": _clear(attempt.at),
                "outcome": "approved" if attempt.approved else "declined",
                "amount": _clear(attempt.amount),
            }
            for attempt in attempts
        ],
        "payment_attempts_left_out": attempts_left_out,
    }


def _behavioural(user: User) -> dict[str, Any]:
    # Time, outcome and channel only: the keyed hashes of the login and the address stay home.
    events, left_out = _newest(
        SignInEvent.objects.filter(user_id=user.pk)
        .order_by("-at", "-id")
        .only("at", "outcome", "channel")
    )
    return {
        "sign_in_events": [
            {
                "at": _clear(event.at),
                "outcome": _label(SignInOutcome, event.outcome),
                "channel": event.channel,
            }
            for event in events
        ],
        "sign_in_events_left_out": left_out,
    }


@dataclass(frozen=True)
class ReportItem:
    """One kind of the subject's data the legal counsel may tick for the report.

    ``describe`` says in English what the item holds (for the checklist), ``describe_ar`` in
    Arabic; ``read`` returns the subject's values for the report.
    """

    key: str
    label_en: str
    label_ar: str
    category: Category
    describe: str
    describe_ar: str
    read: Callable[[User], dict[str, Any]]

    def label(self, language: str = "en") -> str:
        return self.label_ar if language == "ar" else self.label_en

    def description(self, language: str = "en") -> str:
        return self.describe_ar if language == "ar" else self.describe


REPORT_ITEMS: dict[str, ReportItem] = {
    item.key: item
    for item in (
        ReportItem(
            "identity",
            "Identity",
            "بيانات الهوية",
            Category.IDENTITY,
            "Full name, date of birth and identity number.",
            "الاسم الكامل وتاريخ الميلاد ورقم الهوية.",
            _identity,
        ),
        ReportItem(
            "contact",
            "Contact",
            "بيانات التواصل",
            Category.CONTACT,
            "Email address and saved delivery addresses.",
            "البريد الإلكتروني وعناوين التوصيل المحفوظة.",
            _contact,
        ),
        ReportItem(
            "credential",
            "Login",
            "بيانات الدخول",
            Category.CREDENTIAL,
            "Username (never the password).",
            "اسم المستخدم (دون كلمة المرور).",
            _credential,
        ),
        ReportItem(
            "financial",
            "Orders and payments",
            "الطلبات والمدفوعات",
            Category.FINANCIAL,
            "Orders (number, date, total, status, payment method, card brand and last four "
            "digits) and card authorisations (time, outcome, amount).",
            "الطلبات (الرقم والتاريخ والإجمالي والحالة وطريقة الدفع ونوع البطاقة وآخر أربعة "
            "أرقام) ومحاولات الدفع بالبطاقة (الوقت والنتيجة والمبلغ).",
            _financial,
        ),
        ReportItem(
            "behavioural",
            "Sign-in activity",
            "نشاط تسجيل الدخول",
            Category.BEHAVIOURAL,
            "Sign-in attempts: time, outcome and channel.",
            "محاولات تسجيل الدخول: الوقت والنتيجة والقناة.",
            _behavioural,
        ),
    )
}


# --- The content ---------------------------------------------------------------------------------


def _staff(user: User | None) -> dict[str, Any] | None:
    """A staff member as the report names them: account id and roles, never a name."""
    if user is None:
        return None
    names = user.groups.values_list("name", flat=True)
    roles = sorted(ROLE_OF_GROUP[name].value for name in names if name in ROLE_OF_GROUP)
    return {"account_id": str(user.pk), "roles": roles}


def _at(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _timeline(case: Case) -> list[dict[str, str]]:
    """The signals' events and the case's own steps, oldest first; notes and reveals stay out."""
    entries = []
    for signal in case.signals.all():
        for ref in signal.event_refs:
            entries.append(
                {
                    "at": str(ref.get("at", "")),
                    "source": str(ref.get("source", "")),
                    "what": str(ref.get("what", "")),
                }
            )
    steps = case.events.filter(
        kind__in=[
            CaseEventKind.OPENED,
            CaseEventKind.STATUS,
            CaseEventKind.ACTION,
            CaseEventKind.ACTION_REVERSED,
            CaseEventKind.REPORT,
        ]
    ).only("at", "kind", "from_status", "to_status")
    for step in steps:
        if step.kind == CaseEventKind.STATUS:
            what = f"status {step.from_status} -> {step.to_status}"
        elif step.kind == CaseEventKind.ACTION:
            what = f"protective action {step.to_status}"
        elif step.kind == CaseEventKind.ACTION_REVERSED:
            what = f"protective action reversed {step.to_status}"
        elif step.kind == CaseEventKind.REPORT:
            what = "report generated"
        else:
            what = "case opened"
        entries.append({"at": step.at.isoformat(), "source": "case", "what": what})

    def when(entry: dict[str, str]) -> datetime:
        return parse_datetime(entry["at"]) or case.opened_at

    return sorted(entries, key=when)


def report_content(case: Case, *, generated_by: User | None, now: datetime | None = None) -> dict:
    """The report as a dict: what the JSON file holds and the PDF prints."""
    ticked = [key for key in case.report_items if key in REPORT_ITEMS]
    subject = User.objects.filter(pk=case.subject_id).first() if case.subject_id else None
    # The report is in English whoever generates it: labels of statuses and outcomes too.
    with translation.override("en"):
        personal = {key: REPORT_ITEMS[key].read(subject) for key in ticked} if subject else {}
        signals = [
            {
                "rule": signal.rule,
                "rule_label": _label(Rule, signal.rule),
                "score": signal.score,
                "raised_at": _at(signal.raised_at),
                "first_event_at": _at(signal.first_event_at),
                "last_event_at": _at(signal.last_event_at),
                "events": len(signal.event_refs),
            }
            for signal in case.signals.all()
        ]
        return {
            "format": FORMAT,
            "case": {
                "reference": case.reference,
                "status": case.status,
                "status_label": _label(CaseStatus, case.status),
                "opened_at": _at(case.opened_at),
                "score": case.score,
                "subject_kind": "account" if case.subject_id else "address",
            },
            "signals": signals,
            "legal": {
                "summary": case.legal_summary,
                "requested_by": _staff(case.legal_requested_by),
                "requested_at": _at(case.legal_requested_at),
                "opinion": case.legal_opinion,
                "decided_by": _staff(case.legal_decided_by),
                "decided_at": _at(case.legal_decided_at),
            },
            "items": [
                {
                    "key": key,
                    "label": REPORT_ITEMS[key].label_en,
                    "label_ar": REPORT_ITEMS[key].label_ar,
                }
                for key in ticked
            ],
            "timeline": _timeline(case),
            "personal_data": personal,
            "generated_at": _at(now or timezone.now()),
            "generated_by": _staff(generated_by),
        }


def report_json(content: dict) -> bytes:
    return json.dumps(content, sort_keys=True, indent=2, ensure_ascii=False).encode("utf-8")


# --- The PDF -------------------------------------------------------------------------------------

# Arabic letters (and their presentation forms): text with any of them runs right to left.
_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
MARGIN = 15.0
WIDTH = 210.0 - 2 * MARGIN
INK = (29, 36, 51)
SOFT = (92, 99, 115)
RULE = (214, 208, 198)
TITLE_EN = "Report to the competent authority"
TITLE_AR = "بلاغ إلى الجهة المختصة"


class _Sheet(FPDF):
    """fpdf2 with the invoice's bundled DejaVu font and its shaping, pages flowing freely."""

    def __init__(self, reference: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.reference = reference
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=20)
        self.add_font(FONT, "", FONTS / "DejaVuSans.ttf")
        self.add_font(FONT, "B", FONTS / "DejaVuSans-Bold.ttf")
        self.set_text_color(*INK)
        self.set_title(f"{TITLE_EN} {reference}")
        self.set_creator("Lumeire")

    def _use(self, text: str, size: float, bold: bool) -> None:
        self.set_font(FONT, "B" if bold else "", size)
        # As on the invoice: Arabic runs right to left, a date or a code keeps its order.
        self.set_text_shaping(True, direction="rtl" if _ARABIC.search(text) else "ltr")

    def line_of(
        self,
        text: str,
        *,
        size: float = 9,
        bold: bool = False,
        color: tuple[int, int, int] = INK,
        align: str = "L",
        indent: float = 0.0,
    ) -> None:
        self._use(text, size, bold)
        self.set_text_color(*color)
        self.set_x(MARGIN + indent)
        self.multi_cell(
            WIDTH - indent,
            size * 0.3528 * 1.4,
            text,
            align=align,
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        self.set_text_color(*INK)

    def pair(self, label: str, value: Any, *, indent: float = 0.0) -> None:
        shown = "—" if value in (None, "") else str(value)
        self.line_of(f"{label}: {shown}", indent=indent)

    def heading(self, text: str) -> None:
        self.ln(3)
        self.line_of(text, size=11.5, bold=True)
        self.set_draw_color(*RULE)
        self.set_line_width(0.2)
        self.line(MARGIN, self.get_y(), MARGIN + WIDTH, self.get_y())
        self.ln(1.5)

    def footer(self) -> None:
        self.set_y(-14)
        self.line_of(f"{self.reference} · page {self.page_no()}", size=7.5, color=SOFT)


def _who(staff: dict | None) -> str:
    if not staff:
        return "—"
    roles = ", ".join(staff["roles"]) or "no role"
    return f"account {staff['account_id']} ({roles})"


def _personal_section(sheet: _Sheet, key: str, values: dict[str, Any]) -> None:
    item = REPORT_ITEMS[key]
    sheet.line_of(item.label_en, size=10, bold=True)
    sheet.line_of(item.label_ar, size=9, color=SOFT, align="R")
    for name, value in values.items():
        if isinstance(value, list):
            sheet.line_of(name.replace("_", " ").capitalize(), bold=True, indent=2)
            if not value:
                sheet.line_of("none", indent=6, color=SOFT)
            for row in value:
                text = "; ".join(
                    f"{part.replace('_', ' ')}: {'—' if shown is None else shown}"
                    for part, shown in row.items()
                )
                sheet.line_of(text, indent=6)
        elif name.endswith("_left_out"):
            if value:
                sheet.line_of(f"{value} older entries left out", indent=2, color=SOFT)
        else:
            sheet.pair(name.replace("_", " ").capitalize(), value, indent=2)
    sheet.ln(1)


def report_pdf(content: dict) -> bytes:
    """The same content as the JSON file, printed: heading in both languages, body in English."""
    case = content["case"]
    sheet = _Sheet(case["reference"])
    sheet.add_page()
    sheet.line_of(TITLE_EN, size=16, bold=True)
    sheet.line_of(TITLE_AR, size=16, bold=True, align="R")
    sheet.line_of("Confidential: prepared for the competent authority only.", color=SOFT)

    sheet.heading("Case")
    sheet.pair("Reference", case["reference"])
    sheet.pair("Status", case["status_label"])
    sheet.pair("Opened at", case["opened_at"])
    sheet.pair("Score", case["score"])
    sheet.pair("About", "an account" if case["subject_kind"] == "account" else "a network address")
    sheet.pair("Generated at", content["generated_at"])
    sheet.pair("Generated by", _who(content["generated_by"]))

    sheet.heading("Signals")
    for signal in content["signals"]:
        sheet.line_of(f"{signal['rule_label']} ({signal['rule']}), score {signal['score']}")
        sheet.line_of(
            f"events: {signal['events']}, from {signal['first_event_at']} to "
            f"{signal['last_event_at']}",
            indent=4,
            color=SOFT,
        )

    legal = content["legal"]
    sheet.heading("Legal consultation")
    sheet.pair("Requested by", _who(legal["requested_by"]))
    sheet.pair("Requested at", legal["requested_at"])
    sheet.line_of("Summary", bold=True)
    sheet.line_of(legal["summary"] or "—", indent=2)
    sheet.pair("Decided by", _who(legal["decided_by"]))
    sheet.pair("Decided at", legal["decided_at"])
    sheet.line_of("Opinion", bold=True)
    sheet.line_of(legal["opinion"] or "—", indent=2)

    sheet.heading("Personal data included")
    if content["items"]:
        for item in content["items"]:
            sheet.line_of(f"• {item['label']}", indent=2)
    else:
        sheet.line_of("None were ticked.", indent=2)
    if content["personal_data"]:
        sheet.ln(2)
        for key, values in content["personal_data"].items():
            _personal_section(sheet, key, values)
    elif content["items"]:
        sheet.line_of("The case is about a network address: there is no account's data.", indent=2)

    sheet.heading("Timeline")
    for entry in content["timeline"]:
        sheet.line_of(f"{entry['at']}  {entry['source']}  {entry['what']}")
    return bytes(sheet.output())


def build_report(case: Case, *, generated_by: User | None) -> dict[str, bytes]:
    """Both files of the package, from the same content."""
    content = report_content(case, generated_by=generated_by)
    return {"json": report_json(content), "pdf": report_pdf(content)}


# --- Keeping the files sealed -------------------------------------------------------------------


class ReportFileError(CaseError):
    """A report file that cannot be given out: purged, altered, or its hash no longer matches."""


def _place(file: ReportFile) -> Place:
    return Place("compliance_reportfile", "sealed", str(file.pk))


@transaction.atomic
def seal_report_file(
    *, case: Case, kind: str, content: bytes, generated_by: User | None
) -> ReportFile:
    """Store one file sealed with the case's data key; the row first, so the seal names its id."""
    try:
        key_id, key = data_key_for_writing(case.key_subject)
    except VaultError:
        raise ReportFileError(
            CaseErrorCode.NO_REPORT,
            _("This case's data was purged: no report can be made from it."),
            status_code=409,
        ) from None
    file = ReportFile.objects.create(
        case=case,
        kind=kind,
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        generated_by=generated_by,
        sealed=b"",
    )
    file.sealed = seal(content, data_key=key, data_key_id=key_id, place=_place(file))
    file.save(update_fields=["sealed"])
    return file


def open_report_file(*, case: Case, file: ReportFile) -> bytes:
    """The clear content of a sealed report file, refused when purged or altered."""
    blob = bytes(file.sealed or b"")
    try:
        key = data_key_for_reading(data_key_id_of(blob), case.key_subject)
        if key is SHREDDED:
            raise ReportFileError(
                CaseErrorCode.NO_REPORT,
                _("This report was purged: the key that sealed it was destroyed."),
                status_code=410,
            )
        content = open_sealed(blob, data_key=key, place=_place(file))
    except VaultIntegrityError:
        raise ReportFileError(
            CaseErrorCode.NO_REPORT,
            _("This report file failed its integrity check: it was altered or moved."),
            status_code=409,
        ) from None
    if hashlib.sha256(content).hexdigest() != file.sha256:
        raise ReportFileError(
            CaseErrorCode.NO_REPORT,
            _("This report file no longer matches the SHA-256 recorded when it was made."),
            status_code=409,
        )
    return content
