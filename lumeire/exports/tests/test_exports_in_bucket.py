"""Exports in the shared bucket: stored sealed (no clear byte in the object), downloaded once by
streaming a chunk at a time, gone after the download, even one cut short; the purge clears what
a node that died mid-download left behind."""

from __future__ import annotations

import os
import tracemalloc
import uuid

import pytest
from django.test import Client

from lumeire.accounts.tests.factories import PASSWORD, make_customer
from lumeire.exports import storage
from lumeire.exports.models import DataExport, ExportStatus
from lumeire.exports.services import export_request, exports_purge_expired
from lumeire.exports.tests.helpers import read_zip

pytestmark = pytest.mark.django_db

API = "/api/v1/privacy/exports"


def _browser(customer) -> Client:
    client = Client()
    signed_in = client.post(
        "/en/account/sign-in/", {"login": customer.username, "password": PASSWORD}
    )
    assert signed_in.status_code == 302
    return client


def test_an_export_is_sealed_in_the_bucket_streamed_once_and_then_gone(s3, bucket, settings):
    customer = make_customer()
    browser = _browser(customer)
    assert browser.post("/en/account/my-data/").status_code == 302
    export = DataExport.objects.get(customer=customer)
    key = f"exports/{export.pk}.sealed"

    stored = s3.objects(bucket)

    assert list(stored) == [key]
    raw = stored[key]
    assert export.size == len(raw) > 0
    for clear in (customer.email, customer.username, customer.customer.full_name):
        assert clear.encode() not in raw
    assert b"PK\x03\x04" not in raw and b"data.json" not in raw
    assert not settings.LUMEIRE_EXPORTS_DIR.exists()  # nothing on this node's disk

    download = browser.get(f"/en/account/my-data/{export.pk}/download/")

    assert download.status_code == 200 and download.streaming
    assert download["Content-Type"] == "application/zip"
    data, _, html = read_zip(b"".join(download.streaming_content))
    assert data["profile"]["email"] == customer.email
    assert customer.customer.full_name in html
    assert s3.objects(bucket) == {}
    assert browser.get(f"/en/account/my-data/{export.pk}/download/").status_code == 404
    assert DataExport.objects.get(pk=export.pk).status == ExportStatus.DOWNLOADED


def test_the_api_download_streams_from_the_bucket_once(s3, bucket):
    customer = make_customer()
    token = Client().post(
        "/api/v1/accounts/signin",
        {"login": customer.username, "password": PASSWORD},
        content_type="application/json",
    )
    bearer = {"Authorization": f"Bearer {token.json()['token']}"}
    export_id = Client().post(API, headers=bearer).json()["id"]

    download = Client().get(f"{API}/{export_id}/download", headers=bearer)

    assert download.status_code == 200 and download.streaming
    data, _, _ = read_zip(b"".join(download.streaming_content))
    assert data["profile"]["username"] == customer.username
    assert s3.objects(bucket) == {}
    assert Client().get(f"{API}/{export_id}/download", headers=bearer).status_code == 404


def test_a_download_cut_short_still_removes_the_object(s3, bucket):
    customer = make_customer()
    export = export_request(actor=customer)
    export_id = export.pk
    content = os.urandom(3 * storage.CHUNK_BYTES)  # three chunks
    storage.write_sealed(export_id, customer.pk, content)

    from lumeire.exports.services import export_download

    chunks = export_download(actor=customer, export_id=export_id).chunks
    assert next(chunks) == content[: storage.CHUNK_BYTES]
    assert list(s3.objects(bucket)) == [f"exports/{export_id}.sealed"]  # still being read
    chunks.close()  # the browser went away

    assert s3.objects(bucket) == {}
    assert DataExport.objects.get(pk=export_id).status == ExportStatus.DOWNLOADED


def test_a_large_download_reads_the_bucket_a_chunk_at_a_time(s3, bucket):
    customer = make_customer()
    export_id = uuid.uuid4()
    size = 24 * storage.CHUNK_BYTES
    content = os.urandom(size)
    storage.write_sealed(export_id, customer.pk, content)
    del content

    opened = storage.open_for_download(export_id)
    tracemalloc.start()
    try:
        received = 0
        for chunk in storage.stream_opened(opened, export_id, customer.pk):
            received += len(chunk)
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert received == size
    # About two sealed chunks at a time (the one going out, the next one's read), never the file.
    assert peak < 6 * storage.CHUNK_BYTES, peak
    assert s3.objects(bucket) == {}


def test_the_purge_removes_what_a_dead_download_left_and_keeps_ready_exports(s3, bucket):
    customer = make_customer()
    ready = export_request(actor=customer)
    downloaded = export_request(actor=customer)
    DataExport.objects.filter(pk=downloaded.pk).update(status=ExportStatus.DOWNLOADED)
    orphan = uuid.uuid4()  # a file whose export row is gone
    client = s3.client()
    client.put_object(Bucket=bucket, Key=f"exports/{orphan}.sealed", Body=b"sealed bytes")
    client.put_object(Bucket=bucket, Key="exports/notes.txt", Body=b"not an export")

    assert exports_purge_expired() == 0

    assert set(s3.objects(bucket)) == {f"exports/{ready.pk}.sealed", "exports/notes.txt"}
