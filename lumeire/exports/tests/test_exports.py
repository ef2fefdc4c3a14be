"""Exports: every category of the customer's data and nothing of anyone else's, a download that
works once for its own customer, expiry after 24 hours, a sealed file and the daily limit."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import models
from django.test import Client
from freezegun import freeze_time

from lumeire.accounts.models import SignInEvent, User
from lumeire.accounts.tests.factories import PASSWORD, make_customer
from lumeire.audit.models import AuditAction, AuditEntry
from lumeire.exports import storage
from lumeire.exports.errors import ExportLimitReached, ExportNotFound
from lumeire.exports.models import DataExport, ExportStatus
from lumeire.exports.services import (
    EXPORTS_PER_DAY,
    export_download,
    export_request,
    exports_purge_expired,
)
from lumeire.exports.tests.helpers import full_customer, read_zip, staff_reveal_of
from lumeire.vault.fields import EncryptedFieldMixin
from lumeire.vault.inventory import inventory
from lumeire.vault.services import shred

pytestmark = pytest.mark.django_db

# Values that are fingerprints or secrets: the category counts, the value is never handed out.
NEVER_IN_CLEAR = {
    "accounts.User.password",
    "accounts.User.username_index",
    "accounts.User.email_index",
    "accounts.Customer.identity_index",
    "accounts.Customer.recovery_question",  # a key; the export shows the question's words
    "accounts.Customer.recovery_answer_hash",
    "accounts.TwoFactorDevice.secret",
    "orders.Order.card_token",
}


def _owner_lookup(model: type[models.Model]) -> str | None:
    """How a model's rows point at their customer, found from the model itself."""
    if model is User:
        return "pk"
    for field in model._meta.concrete_fields:
        if field.is_relation and field.related_model is User and field.name in ("user", "customer"):
            return field.name
    return None


def _declared_values_of(customer: User) -> dict[str, set[str]]:
    """Per inventory category, the clear values of this customer's declared fields."""
    found: dict[str, set[str]] = {}
    for entry in inventory():
        owner = _owner_lookup(entry.model)
        if owner is None:
            continue
        for row in entry.model._default_manager.filter(**{owner: customer.pk}):
            value = getattr(row, entry.field_name)
            if value in (None, "", b""):
                continue
            shown = found.setdefault(str(entry.declaration.category), set())
            field = entry.model._meta.get_field(entry.field_name)
            if entry.label not in NEVER_IN_CLEAR and isinstance(field, EncryptedFieldMixin):
                shown.add(str(value))
    return found


def _export_bytes(customer: User) -> bytes:
    export = export_request(actor=customer)
    download = export_download(actor=customer, export_id=export.pk)
    return b"".join(download.chunks)


def _sign_in(customer: User) -> Client:
    client = Client()
    response = client.post(
        "/en/account/sign-in/", {"login": customer.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    return client


def test_the_export_holds_every_category_the_customer_has_data_in_and_nothing_of_another():
    customer, order = full_customer()
    _sign_in(customer)
    staff_reveal_of(customer)
    other, other_order = full_customer(date_of_birth=date(1985, 2, 3))
    _sign_in(other)

    data, text, html = read_zip(_export_bytes(customer))

    expected = _declared_values_of(customer)
    assert set(expected) == {"identity", "contact", "credential", "financial", "behavioural"}
    assert data["categories"] == sorted(expected)
    for category, values in expected.items():
        for value in values:
            assert value in text, f"a {category} value of the customer is missing"
    assert data["profile"]["email"] == customer.email
    assert data["profile"]["username"] == customer.username
    assert data["profile"]["identity_number"] == customer.customer.identity_number
    assert data["profile"]["date_of_birth"] == "1990-05-17"
    assert [o["number"] for o in data["orders"]] == [order.number]
    assert data["orders"][0]["total"] == f"{order.total:.2f}"
    assert data["orders"][0]["card_last4"] == "4242"
    assert data["orders"][0]["timeline"][-1]["to_status"] == order.status
    assert len(data["addresses"]) == 1
    assert [a["version"] for a in data["policy_acceptances"]] == [1]
    assert len(data["sign_in_history"]) == SignInEvent.objects.filter(user=customer).count() == 1
    assert [r["fields"] for r in data["access_log"]] == [["Email address"]]
    assert customer.customer.full_name in html
    # Nothing of the other customer, in either file.
    others = _declared_values_of(other)
    own = set().union(*expected.values())
    only_theirs = (others["identity"] | others["contact"]) - own  # not the same city, say
    assert {other.email, other.customer.full_name, other.customer.identity_number} <= only_theirs
    for value in only_theirs:
        assert value not in text and value not in html
    for value in (other.email, other.username, other_order.number):
        assert value not in text and value not in html


def test_a_download_link_works_once_and_the_file_is_gone_after_it():
    customer = make_customer()
    export = export_request(actor=customer)
    assert DataExport.objects.get(pk=export.pk).status == ExportStatus.READY
    assert storage.path_of(export.pk).exists()

    first = b"".join(export_download(actor=customer, export_id=export.pk).chunks)

    assert first.startswith(b"PK")
    assert not storage.path_of(export.pk).exists()
    assert DataExport.objects.get(pk=export.pk).status == ExportStatus.DOWNLOADED
    with pytest.raises(ExportNotFound) as refused:
        export_download(actor=customer, export_id=export.pk)
    assert refused.value.status_code == 404
    entries = AuditEntry.objects.filter(action=AuditAction.EXPORT, subject_id=customer.pk)
    assert [(e.reason, e.actor_id, e.target_id) for e in entries.order_by("id")] == [
        ("export requested", customer.pk, str(export.pk)),
        ("export downloaded", customer.pk, str(export.pk)),
    ]


def test_another_customer_cannot_download_and_the_export_stays_for_its_owner():
    owner, stranger = make_customer(), make_customer()
    export = export_request(actor=owner)

    with pytest.raises(ExportNotFound):
        export_download(actor=stranger, export_id=export.pk)
    with pytest.raises(ExportNotFound):
        export_download(actor=stranger, export_id="not-a-uuid")

    assert DataExport.objects.get(pk=export.pk).status == ExportStatus.READY
    assert storage.path_of(export.pk).exists()
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORT, actor_id=stranger.pk).exists()
    assert b"".join(export_download(actor=owner, export_id=export.pk).chunks).startswith(b"PK")


def test_an_export_expires_after_24_hours_and_the_purge_deletes_its_file():
    customer = make_customer()
    with freeze_time("2026-03-01 10:00:00"):
        export = export_request(actor=customer)
        kept = export_request(actor=customer)
    with freeze_time("2026-03-02 09:59:59"):
        assert exports_purge_expired() == 0
        assert storage.path_of(export.pk).exists()
        b"".join(export_download(actor=customer, export_id=kept.pk).chunks)
    with freeze_time("2026-03-02 10:00:01"):
        with pytest.raises(ExportNotFound):
            export_download(actor=customer, export_id=export.pk)
        assert storage.path_of(export.pk).exists()  # refused, not yet purged

        assert exports_purge_expired() == 1

        assert not storage.path_of(export.pk).exists()
        assert DataExport.objects.get(pk=export.pk).status == ExportStatus.EXPIRED
        assert DataExport.objects.get(pk=kept.pk).status == ExportStatus.DOWNLOADED
        assert exports_purge_expired() == 0
    assert list(storage.exports_dir().iterdir()) == []


def test_the_file_on_disk_is_sealed_with_the_customers_key():
    customer = make_customer()
    export = export_request(actor=customer)

    on_disk = storage.path_of(export.pk).read_bytes()

    for clear in (customer.email, customer.username, customer.customer.full_name):
        assert clear.encode() not in on_disk
    assert b"data.json" not in on_disk and b"PK\x03\x04" not in on_disk
    assert oct(storage.path_of(export.pk).stat().st_mode & 0o777) == "0o600"
    shred(customer.pk)
    download = export_download(actor=customer, export_id=export.pk)
    with pytest.raises(Exception, match="destroyed"):
        b"".join(download.chunks)


def test_a_file_moved_to_another_export_fails_to_open():
    customer = make_customer()
    first, second = export_request(actor=customer), export_request(actor=customer)
    storage.path_of(second.pk).write_bytes(storage.path_of(first.pk).read_bytes())

    download = export_download(actor=customer, export_id=second.pk)

    with pytest.raises(Exception, match="failed authentication"):
        b"".join(download.chunks)


def test_three_exports_a_day_then_429_that_changes_nothing():
    customer, someone_else = make_customer(), make_customer()
    with freeze_time("2026-03-01 10:00:00"):
        for _ in range(EXPORTS_PER_DAY):
            export_request(actor=customer)
    with freeze_time("2026-03-02 09:00:00"):
        with pytest.raises(ExportLimitReached) as refused:
            export_request(actor=customer)
        assert refused.value.status_code == 429
        assert refused.value.retry_after == 3600
        assert DataExport.objects.filter(customer=customer).count() == EXPORTS_PER_DAY
        assert AuditEntry.objects.filter(action=AuditAction.EXPORT).count() == EXPORTS_PER_DAY
        assert export_request(actor=someone_else).status == ExportStatus.READY
    with freeze_time("2026-03-02 10:00:01"):
        assert export_request(actor=customer).status == ExportStatus.READY


def test_an_arabic_export_reads_right_to_left_in_arabic():
    customer = make_customer(language="ar")
    export = export_request(actor=customer)
    data, _, html = read_zip(b"".join(export_download(actor=customer, export_id=export.pk).chunks))

    assert data["language"] == "ar"
    assert '<html lang="ar" dir="rtl">' in html
    assert "بياناتك" in html
    assert "<script" not in html and "http://" not in html and "https://" not in html


def test_a_staff_account_cannot_ask_for_an_export():
    from lumeire.staff.services import staff_create

    staff = staff_create(
        username="quiet.agent",
        email="quiet.agent@staff.example.com",
        password="a long staff password for tests",
        groups=["Owner"],
    )
    with pytest.raises(ExportNotFound):
        export_request(actor=staff)
    assert not DataExport.objects.exists()
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()
