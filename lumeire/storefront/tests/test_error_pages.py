"""Friendly 404 and generic 500 pages in both languages, with the request id for support."""

from __future__ import annotations

import logging
import re

import pytest
from django.conf import settings as django_settings
from django.test import Client, RequestFactory

from lumeire.core.logging import RequestIdFilter
from lumeire.core.tests.markup import parse
from lumeire.storefront import views
from lumeire.storefront.tests.urls_raising import SECRET_IN_THE_FAILURE

REQUEST_ID = re.compile(r'<code class="reference" dir="ltr">([A-Za-z0-9-]+)</code>')


@pytest.fixture
def failing_site(settings):
    settings.ROOT_URLCONF = "lumeire.storefront.tests.urls_raising"
    assert settings.DEBUG is False
    return Client(raise_request_exception=False)


@pytest.fixture
def request_log():
    """Capture django.request records with the request id the project's filter stamps on them."""
    records: list[logging.LogRecord] = []

    class _Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = _Collect(level=logging.ERROR)
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        yield records
    finally:
        logger.removeHandler(handler)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "language", "heading"),
    [
        ("/en/no-such-page/", "en", "We could not find that page"),
        ("/ar/no-such-page/", "ar", "لم نعثر على هذه الصفحة"),
    ],
)
def test_missing_page_is_a_friendly_404_in_the_page_language(client, url, language, heading):
    response = client.get(url)

    assert response.status_code == 404
    document = parse(response.content.decode())
    assert document.find_all("html")[0].attrs["lang"] == language
    assert [h1.text.strip() for h1 in document.find_all("h1")] == [heading]
    assert f'href="/{language}/"' in response.content.decode()


@pytest.mark.django_db
def test_missing_page_outside_a_language_prefix_follows_the_browser_language(client):
    arabic = client.get("/no-such-page", headers={"accept-language": "ar"})
    english = client.get("/no-such-page", headers={"accept-language": "en"})

    assert (arabic.status_code, english.status_code) == (404, 404)
    assert 'dir="rtl"' in arabic.content.decode()
    assert "لم نعثر على هذه الصفحة" in arabic.content.decode()
    assert "We could not find that page" in english.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "heading"),
    [
        ("/en/always-fails/", "Something went wrong on our side"),
        ("/ar/always-fails/", "حدث خطأ من جهتنا"),
    ],
)
def test_a_failing_view_shows_a_generic_500_with_the_request_id(
    failing_site, request_log, url, heading
):
    response = failing_site.get(url)

    body = response.content.decode()
    assert response.status_code == 500
    assert heading in body
    assert "Traceback" not in body
    assert SECRET_IN_THE_FAILURE not in body
    assert "RuntimeError" not in body
    assert django_settings.SECRET_KEY not in body
    assert "SECRET_KEY" not in body
    assert "DJANGO_SETTINGS_MODULE" not in body
    shown = REQUEST_ID.findall(body)
    assert shown == [response["X-Request-ID"]]
    assert [record.request_id for record in request_log] == [response["X-Request-ID"]]
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_a_500_keeps_a_well_formed_request_id_from_the_proxy(failing_site):
    response = failing_site.get("/en/always-fails/", headers={"x-request-id": "proxy-1234abcd"})

    assert response["X-Request-ID"] == "proxy-1234abcd"
    assert REQUEST_ID.findall(response.content.decode()) == ["proxy-1234abcd"]


@pytest.mark.django_db
def test_a_500_page_offers_no_form_to_post(failing_site):
    body = failing_site.get("/en/always-fails/").content.decode()

    assert parse(body).find_all("form") == []


def test_a_broken_500_template_still_answers_with_the_request_id(monkeypatch, caplog):
    def broken_render(*args, **kwargs):
        raise RuntimeError("the template engine is down")

    monkeypatch.setattr(views, "render", broken_render)
    request = RequestFactory().get("/en/anything/")
    request.request_id = "abcdef0123456789"

    with caplog.at_level(logging.ERROR, logger="lumeire.storefront.views"):
        response = views.server_error(request)

    body = response.content.decode()
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
    assert "abcdef0123456789" in body
    assert "the template engine is down" not in body
    assert "Traceback" not in body
    assert [record.getMessage() for record in caplog.records] == ["the 500 page failed to render"]


def test_a_broken_500_template_never_echoes_markup_in_the_request_id(monkeypatch):
    monkeypatch.setattr(views, "render", lambda *args, **kwargs: 1 / 0)
    request = RequestFactory().get("/")
    request.request_id = "<script>alert(1)</script>"

    body = views.server_error(request).content.decode()

    assert "<script>" not in body
    assert "&lt;script&gt;" in body
