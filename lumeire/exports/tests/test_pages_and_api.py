"""The export page in My account and /api/v1/privacy/exports: ask, see the status, download
once; anyone else's export, a used link and an unknown id are the same 404."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from lumeire.accounts.models import User
from lumeire.accounts.tests.factories import PASSWORD, make_customer
from lumeire.audit.models import AuditAction, AuditEntry
from lumeire.exports import storage
from lumeire.exports.models import DataExport, ExportStatus
from lumeire.exports.tests.helpers import read_zip

pytestmark = pytest.mark.django_db

API = "/api/v1/privacy/exports"
DOWNLOAD_LINK = re.compile(r'href="(/en/account/my-data/[0-9a-f-]{36}/download/)"')


def _browser(customer: User) -> Client:
    client = Client()
    response = client.post(
        "/en/account/sign-in/", {"login": customer.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    return client


def _token(customer: User) -> str:
    response = Client().post(
        "/api/v1/accounts/signin",
        {"login": customer.username, "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_my_account_links_to_the_export_page():
    browser = _browser(make_customer())
    assert 'href="/en/account/my-data/"' in browser.get("/en/account/").content.decode()


def test_the_page_prepares_an_export_that_downloads_once():
    customer = make_customer()
    browser = _browser(customer)

    response = browser.post("/en/account/my-data/")

    assert response.status_code == 302 and response.url == "/en/account/my-data/"
    page = browser.get("/en/account/my-data/").content.decode()
    assert "Ready to download" in page
    link = DOWNLOAD_LINK.search(page).group(1)
    download = browser.get(link)
    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    assert download["Content-Disposition"].startswith('attachment; filename="lumeire-my-data-')
    assert download["Cache-Control"].startswith("max-age=0")
    data, _, html = read_zip(b"".join(download.streaming_content))
    assert data["profile"]["email"] == customer.email
    assert customer.customer.full_name in html
    assert browser.get(link).status_code == 404
    assert "Downloaded" in browser.get("/en/account/my-data/").content.decode()


def test_another_customer_and_a_visitor_get_nothing():
    owner = make_customer()
    _browser(owner).post("/en/account/my-data/")
    export = DataExport.objects.get(customer=owner)
    link = f"/en/account/my-data/{export.pk}/download/"

    assert _browser(make_customer()).get(link).status_code == 404
    visitor = Client().get(link)
    assert visitor.status_code == 302 and visitor.url.startswith("/en/account/sign-in/")
    assert DataExport.objects.get(pk=export.pk).status == ExportStatus.READY
    assert storage.path_of(export.pk).exists()


def test_the_fourth_request_of_the_day_is_refused_with_429_on_the_page():
    customer = make_customer()
    browser = _browser(customer)
    for _ in range(3):
        assert browser.post("/en/account/my-data/").status_code == 302

    refused = browser.post("/en/account/my-data/")

    assert refused.status_code == 429
    assert "You can ask for 3 exports a day" in refused.content.decode()
    assert DataExport.objects.filter(customer=customer).count() == 3


def test_api_request_status_and_one_time_download():
    customer = make_customer()
    token = _token(customer)
    api = Client()

    created = api.post(API, headers=_bearer(token))

    assert created.status_code == 202
    body = created.json()
    assert set(body) == {"id", "status"} and body["status"] == "ready"
    status = api.get(f"{API}/{body['id']}", headers=_bearer(token)).json()
    assert status["status"] == "ready"
    assert status["download_url"] == f"http://testserver{API}/{body['id']}/download"
    download = api.get(status["download_url"], headers=_bearer(token))
    assert download.status_code == 200
    data, _, _ = read_zip(b"".join(download.streaming_content))
    assert data["profile"]["username"] == customer.username
    again = api.get(status["download_url"], headers=_bearer(token))
    assert again.status_code == 404 and "detail" in again.json()
    after = api.get(f"{API}/{body['id']}", headers=_bearer(token)).json()
    assert (after["status"], after["download_url"]) == ("downloaded", None)
    assert AuditEntry.objects.filter(action=AuditAction.EXPORT, subject_id=customer.pk).count() == 2


def test_api_hides_another_customers_export_and_refuses_without_a_token():
    owner, stranger = make_customer(), make_customer()
    export_id = Client().post(API, headers=_bearer(_token(owner))).json()["id"]
    stranger_token = _token(stranger)

    assert Client().get(f"{API}/{export_id}", headers=_bearer(stranger_token)).status_code == 404
    assert (
        Client().get(f"{API}/{export_id}/download", headers=_bearer(stranger_token)).status_code
        == 404
    )
    assert Client().get(f"{API}/not-an-id", headers=_bearer(stranger_token)).status_code == 404
    assert Client().post(API).status_code == 401
    assert DataExport.objects.get(pk=export_id).status == ExportStatus.READY


def test_api_fourth_request_is_429_with_retry_after():
    customer = make_customer()
    token = _token(customer)
    for _ in range(3):
        assert Client().post(API, headers=_bearer(token)).status_code == 202

    refused = Client().post(API, headers=_bearer(token))

    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert refused.json()["detail"] == "You can ask for 3 exports a day; please try again later."
    assert DataExport.objects.filter(customer=customer).count() == 3
