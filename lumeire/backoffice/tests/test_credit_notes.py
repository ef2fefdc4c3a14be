"""A cancelled or refunded order's invoice is credited by a credit note (ZATCA): its own gap-free
number, date and reason, the invoice it credits, negative amounts with their VAT; the invoice
itself says "cancelled — see credit note N"; both are reachable from the order pages."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError
from django.utils import timezone, translation

from lumeire.accounts.tests.factories import make_customer
from lumeire.accounts.tests.web_sign_in import signed_in_client
from lumeire.backoffice.tests.factories import make_staff, signed_in
from lumeire.checkout.tests.order_factories import place_order
from lumeire.invoicing.credit_note import CreditNoteDocument
from lumeire.invoicing.html import credit_note_html, invoice_html
from lumeire.invoicing.models import CreditNote
from lumeire.invoicing.pdf import invoice_pdf
from lumeire.invoicing.services import credit_note_issue
from lumeire.invoicing.tests.documents import sample_document
from lumeire.orders.models import Order, OrderStatus
from lumeire.orders.selectors import order_invoice_document
from lumeire.orders.services import order_cancel_by_customer, order_transition
from lumeire.staff.access import GROUP_OF_ROLE
from lumeire.staff.roles import Role

RIYADH = ZoneInfo("Asia/Riyadh")
ISSUED = datetime(2026, 12, 1, 9, 30, tzinfo=RIYADH)


def _note(language: str = "en", reason: str = "cancelled") -> CreditNoteDocument:
    return CreditNoteDocument("CRN-2026-000007", ISSUED, reason, sample_document(language))


def test_a_credit_note_negates_every_amount_of_the_invoice_it_credits():
    note = _note()
    invoice = note.invoice
    assert note.total == -invoice.total == Decimal("-915.45")
    assert note.vat_total == -invoice.vat_total == Decimal("-119.41")
    assert note.net == -(invoice.total - invoice.vat_total)
    assert sum(line.gross for line in note.lines) + note.shipping == note.total
    assert [line.quantity for line in note.lines] == [line.quantity for line in invoice.lines]


@pytest.mark.parametrize(
    ("language", "title", "reason", "symbol"),
    [
        ("en", "Credit note", "The order was cancelled", "SAR"),
        ("ar", "إشعار دائن", "أُلغي الطلب", "ر.س"),
    ],
)
def test_the_credit_note_names_its_invoice_number_date_reason_and_credited_vat(
    language, title, reason, symbol
):
    with translation.override("en"):
        html = credit_note_html(_note(language))
    assert title in html and reason in html
    assert "data-credit-note-number>CRN-2026-000007<" in html
    assert "data-credited-invoice>INV-2026-000042<" in html
    assert '<span dir="ltr">-915.45</span>&nbsp;' + symbol in html
    assert '<span dir="ltr">-119.41</span>&nbsp;' + symbol in html
    assert 'datetime="2026-12-01T09:30:00+03:00"' in html
    if language == "en":  # the English note carries the Arabic words too
        assert "إشعار دائن" in html and "أُلغي الطلب" in html


def test_a_credited_invoice_says_so_on_the_page_and_the_pdf():
    invoice = dataclasses.replace(sample_document("en"), credited_by="CRN-2026-000007")
    html = invoice_html(invoice)
    number = '<span class="invoice__code" dir="ltr">CRN-2026-000007</span>'
    assert f"Cancelled — see credit note {number}" in html
    assert f"ملغاة — انظر الإشعار الدائن {number}" in html
    assert "credit note" not in invoice_html(sample_document("en"))
    assert invoice_pdf(invoice).startswith(b"%PDF")
    arabic = dataclasses.replace(sample_document("ar"), credited_by="CRN-2026-000007")
    assert f"ملغاة — انظر الإشعار الدائن {number}" in invoice_html(arabic)


@pytest.mark.django_db
def test_cancelling_issues_one_numbered_credit_note_and_refunding_another():
    year = timezone.localdate().year
    first = place_order()
    second = place_order(payment="card")
    order_cancel_by_customer(customer=first.customer, order=first)
    order_transition(
        actor=make_staff(groups=[GROUP_OF_ROLE[Role.OWNER]]), order=second, to=OrderStatus.CANCELLED
    )

    notes = {note.order_id: note for note in CreditNote.objects.all()}
    assert notes[first.pk].number == f"CRN-{year}-000001"
    assert notes[second.pk].number == f"CRN-{year}-000002"
    assert notes[first.pk].invoice_number == first.invoice_number
    assert notes[first.pk].reason == "cancelled"
    assert (notes[second.pk].total, notes[second.pk].vat) == (second.total, second.vat)
    # Asking again gives the same note, never a second number.
    assert credit_note_issue(order=first, reason="cancelled") == notes[first.pk]
    assert CreditNote.objects.count() == 2
    # The invoice of the order now points at its note; the note credits the invoice's total.
    invoice = order_invoice_document(Order.objects.get(pk=first.pk), "en")
    assert invoice.credited_by == f"CRN-{year}-000001"
    with pytest.raises(IntegrityError):
        CreditNote.objects.create(
            number="CRN-X",
            order=first,
            invoice_number="x",
            reason="cancelled",
            currency="SAR",
            total=Decimal("1.00"),
            vat=Decimal("0.13"),
        )


@pytest.mark.django_db
def test_a_refund_credits_with_the_reason_refunded():
    order = place_order(payment="card")
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.DELIVERED)
    owner = make_staff(groups=[GROUP_OF_ROLE[Role.OWNER]])
    order_transition(actor=owner, order=Order.objects.get(pk=order.pk), to=OrderStatus.REFUNDED)
    assert CreditNote.objects.get(order_id=order.pk).reason == "refunded"


@pytest.mark.django_db
@pytest.mark.parametrize(("prefix", "title"), [("/en", "Credit note"), ("/ar", "إشعار دائن")])
def test_the_customer_reaches_the_credit_note_from_the_order_page(prefix, title):
    customer = make_customer(username="rana", email="rana@example.com")
    order = place_order(customer=customer)
    client = signed_in_client("rana")
    base = f"{prefix}/account/orders/{order.number}"
    assert client.get(f"{base}/credit-note/").status_code == 404  # none before cancelling

    order_cancel_by_customer(customer=customer, order=order)
    number = CreditNote.objects.get(order_id=order.pk).number

    page = client.get(f"{base}/").content.decode()
    assert f"{base}/credit-note/" in page and number in page
    note = client.get(f"{base}/credit-note/")
    assert note.status_code == 200
    assert title in note.content.decode() and order.invoice_number in note.content.decode()
    assert f'href="{base}/credit-note.pdf"' in note.content.decode()
    pdf = client.get(f"{base}/credit-note.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
    assert f'filename="{number}.pdf"' in pdf["Content-Disposition"]
    invoice = client.get(f"{base}/invoice/").content.decode()
    assert "data-invoice-credited" in invoice and number in invoice
    # Another customer's order stays the same 404 as none.
    make_customer(username="other", email="other@example.com")
    assert signed_in_client("other").get(f"{base}/credit-note/").status_code == 404
    assert signed_in_client("other").get(f"{base}/credit-note.pdf").status_code == 404


@pytest.mark.django_db
def test_the_back_office_order_page_links_the_credit_note():
    order = place_order()
    owner = make_staff(groups=[GROUP_OF_ROLE[Role.OWNER]])
    client = signed_in(owner)
    detail = f"/backoffice/orders/order/{order.pk}/"
    assert client.get(f"{detail}credit-note/").status_code == 404
    order_transition(actor=owner, order=order, to=OrderStatus.CANCELLED)
    number = CreditNote.objects.get(order_id=order.pk).number

    page = client.get(f"{detail}change/").content.decode()
    assert "data-credit-note" in page and f"{detail}credit-note/" in page and number in page
    note = client.get(f"{detail}credit-note/")
    assert note.status_code == 200 and "data-credit-note" in note.content.decode()
