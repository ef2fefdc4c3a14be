"""In a real browser: ask for a copy of my data, download it once, open its index.html."""

from __future__ import annotations

import zipfile

import pytest

from lumeire.accounts.tests.factories import PASSWORD, make_customer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FULL_NAME = "Noura Al-Qahtani"


@pytest.fixture(autouse=True)
def _immediate_tasks_and_private_folder(settings, tmp_path):
    """live_server runs in this process: the export is built at once, into a temporary folder."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.LUMEIRE_EXPORTS_DIR = tmp_path / "exports"


@pytest.fixture
def customer(transactional_db):
    """Made before the browser starts: Django refuses database work inside Playwright's loop."""
    return make_customer(username="noura", email="noura@example.com", full_name=FULL_NAME)


def test_a_customer_downloads_their_data_and_reads_it(live_server, customer, page, tmp_path):
    site = live_server.url
    page.goto(f"{site}/en/account/sign-in/")
    page.get_by_label("Username or email").fill("noura")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{site}/en/account/")
    page.get_by_role("link", name="Get a copy of all your data").click()
    page.get_by_role("button", name="Prepare my data").click()
    page.get_by_text("Your export is being prepared").wait_for()
    with page.expect_download() as caught:
        page.get_by_role("link", name="Download (once)").click()
    archive = tmp_path / "my-data.zip"
    caught.value.save_as(archive)

    with zipfile.ZipFile(archive) as opened:
        opened.extractall(tmp_path / "my-data")
    page.goto((tmp_path / "my-data" / "index.html").as_uri())
    assert page.locator("#full-name").inner_text() == FULL_NAME
    assert page.get_by_role("heading", name="Profile").is_visible()

    page.goto(f"{site}/en/account/my-data/")
    assert page.locator("[data-status]").first.inner_text() == "Downloaded"
    assert page.get_by_role("link", name="Download (once)").count() == 0
