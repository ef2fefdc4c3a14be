"""Every page carries the browser protections the privacy policy promises."""

import pytest
from django.conf import settings as django_settings
from django.test import Client

pytestmark = pytest.mark.django_db

CSRF_SECRET = "a" * 16 + "B" * 16  # the 32-character form Django accepts unmasked


def csp_directives(header: str) -> dict[str, list[str]]:
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.fixture
def home_response():
    return Client().get("/en/")


def test_home_page_is_served(home_response):
    assert home_response.status_code == 200


def test_content_security_policy_allows_only_the_store_itself(home_response):
    directives = csp_directives(home_response["Content-Security-Policy"])

    assert directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["form-action"] == ["'self'"]
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'unsafe-eval'" not in directives["script-src"]
    assert "*" not in directives["script-src"]


def test_content_type_sniffing_is_off(home_response):
    assert home_response["X-Content-Type-Options"] == "nosniff"


def test_referrer_policy_keeps_urls_inside_the_store(home_response):
    assert home_response["Referrer-Policy"] == "same-origin"


def test_permissions_policy_switches_off_unused_features(home_response):
    policy = home_response["Permissions-Policy"]

    for feature in ("camera=()", "microphone=()", "geolocation=()", "interest-cohort=()"):
        assert feature in policy


def test_page_may_not_be_framed(home_response):
    assert home_response["X-Frame-Options"] == "DENY"


def test_cross_origin_opener_is_isolated(home_response):
    assert home_response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_no_server_software_banner(home_response):
    assert "Server" not in home_response
    assert "X-Powered-By" not in home_response


@pytest.mark.urls("lumeire.core.tests.urls")
def test_session_cookie_is_http_only_and_same_site_lax():
    response = Client().get("/session-probe")

    cookie = response.cookies[django_settings.SESSION_COOKIE_NAME]
    assert cookie.value
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["path"] == "/"
    assert cookie["domain"] == ""


def test_language_change_without_a_csrf_token_is_refused():
    client = Client(enforce_csrf_checks=True)

    response = client.post("/i18n/setlang/", {"language": "ar", "next": "/ar/"})

    assert response.status_code == 403
    assert django_settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_language_change_with_a_csrf_token_sets_a_same_site_cookie():
    client = Client(enforce_csrf_checks=True)
    client.cookies[django_settings.CSRF_COOKIE_NAME] = CSRF_SECRET

    response = client.post(
        "/i18n/setlang/", {"language": "ar", "next": "/ar/", "csrfmiddlewaretoken": CSRF_SECRET}
    )

    assert response.status_code == 302
    assert response["Location"] == "/ar/"
    cookie = response.cookies[django_settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "ar"
    assert cookie["samesite"] == "Lax"


def test_language_change_does_not_redirect_off_site():
    client = Client(enforce_csrf_checks=True)
    client.cookies[django_settings.CSRF_COOKIE_NAME] = CSRF_SECRET

    response = client.post(
        "/i18n/setlang/",
        {"language": "ar", "next": "https://evil.example/", "csrfmiddlewaretoken": CSRF_SECRET},
    )

    assert response.status_code == 302
    assert not response["Location"].startswith("https://evil.example")
