"""The cookie registry, the consent it is read with, and the middleware that enforces both."""

from __future__ import annotations

import logging
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import RequestFactory

from lumeire.accounts.tests.factories import make_customer
from lumeire.core.errors import ApplicationError
from lumeire.privacy.cookies import (
    CONSENT_COOKIE_NAME,
    COOKIES,
    NO_CHOICE,
    OPTIONAL_CATEGORY_CODES,
    RECENTLY_VIEWED_COOKIE_NAME,
    STATISTICS_COOKIE_NAME,
    consent_cookie_value,
    consent_of,
    cookie_spec,
    parse_consent,
)
from lumeire.privacy.middleware import CookieConsentMiddleware
from lumeire.privacy.models import ConsentRecord, DailyPageViews
from lumeire.privacy.selectors import current_policy_version
from lumeire.privacy.services import consent_record, page_view_count

CONSENT_ID = "0123456789abcdef0123456789abcdef"


def test_the_registry_names_the_cookies_the_running_settings_use():
    names = {spec.name for spec in COOKIES}

    assert names == {
        settings.SESSION_COOKIE_NAME,
        settings.CSRF_COOKIE_NAME,
        settings.LANGUAGE_COOKIE_NAME,
        "messages",
        CONSENT_COOKIE_NAME,
        RECENTLY_VIEWED_COOKIE_NAME,
        STATISTICS_COOKIE_NAME,
    }
    essential = {spec.name for spec in COOKIES if spec.essential}
    assert RECENTLY_VIEWED_COOKIE_NAME not in essential
    assert STATISTICS_COOKIE_NAME not in essential
    assert {spec.category for spec in COOKIES if not spec.essential} == OPTIONAL_CATEGORY_CODES
    assert all(str(spec.purpose) for spec in COOKIES)


def test_the_https_names_are_registered_when_settings_use_them(settings):
    settings.SESSION_COOKIE_NAME = "__Host-sessionid"
    settings.CSRF_COOKIE_NAME = "__Host-csrftoken"

    assert cookie_spec("__Host-sessionid").essential
    assert cookie_spec("__Host-csrftoken").essential
    assert cookie_spec("lumeire_session") is None


def test_lifetimes_follow_the_settings():
    assert cookie_spec(settings.SESSION_COOKIE_NAME).lifetime == timedelta(
        seconds=settings.SESSION_COOKIE_AGE
    )
    assert cookie_spec(settings.LANGUAGE_COOKIE_NAME).lifetime == timedelta(days=365)
    assert cookie_spec("messages").lifetime is None
    assert cookie_spec("tracker") is None


@pytest.mark.parametrize(
    ("raw", "chosen", "categories"),
    [
        (None, False, set()),
        ("", False, set()),
        (CONSENT_ID, True, set()),
        (f"{CONSENT_ID}.statistics", True, {"statistics"}),
        (f"{CONSENT_ID}.recently_viewed.statistics", True, {"recently_viewed", "statistics"}),
        (f"{CONSENT_ID}.advertising", False, set()),
        ("not-an-id.statistics", False, set()),
    ],
)
def test_a_consent_cookie_reads_as_its_choice_or_as_no_choice(raw, chosen, categories):
    consent = parse_consent(raw)

    assert consent.chosen is chosen
    assert consent.categories == frozenset(categories)


def test_consent_of_reads_the_request_cookie():
    request = RequestFactory().get("/en/")
    request.COOKIES[CONSENT_COOKIE_NAME] = consent_cookie_value(CONSENT_ID, {"statistics"})

    assert consent_of(request) == frozenset({"statistics"})


# --- The middleware ---------------------------------------------------------------------------


def _respond(request, *cookies: tuple[str, str]):
    def view(_request):
        response = HttpResponse("ok")
        for name, value in cookies:
            response.set_cookie(name, value)
        return response

    return CookieConsentMiddleware(view)(request)


def test_an_unregistered_cookie_is_dropped_and_only_its_name_is_logged(caplog):
    request = RequestFactory().get("/en/")
    with caplog.at_level(logging.WARNING, logger="lumeire.privacy.middleware"):
        response = _respond(request, ("tracker", "jane@example.com"), ("messages", "hello"))

    assert set(response.cookies) == {"messages"}
    [record] = caplog.records
    assert record.cookie == "tracker"
    assert "jane@example.com" not in caplog.text


def test_an_optional_cookie_is_dropped_before_consent_and_kept_after():
    before = RequestFactory().get("/en/")
    assert set(_respond(before, (STATISTICS_COOKIE_NAME, "x")).cookies) == set()

    after = RequestFactory().get("/en/")
    after.COOKIES[CONSENT_COOKIE_NAME] = consent_cookie_value(CONSENT_ID, {"statistics"})
    response = _respond(after, (STATISTICS_COOKIE_NAME, "x"), (RECENTLY_VIEWED_COOKIE_NAME, "y"))

    assert set(response.cookies) == {STATISTICS_COOKIE_NAME}


def test_deleting_an_optional_cookie_is_always_allowed():
    request = RequestFactory().get("/en/")

    def view(_request):
        response = HttpResponse("ok")
        response.delete_cookie(RECENTLY_VIEWED_COOKIE_NAME)
        return response

    response = CookieConsentMiddleware(view)(request)

    assert response.cookies[RECENTLY_VIEWED_COOKIE_NAME]["max-age"] == 0


def test_the_middleware_puts_the_choice_on_the_request():
    request = RequestFactory().get("/en/")
    _respond(request)

    assert request.consent == NO_CHOICE


# --- Recording the choice ---------------------------------------------------------------------


@pytest.mark.django_db
def test_a_choice_is_recorded_with_the_policy_version_and_no_address():
    customer = make_customer()

    record = consent_record(actor=customer, categories={"statistics"}, method="settings")

    stored = ConsentRecord.objects.get()
    assert stored == record
    assert stored.user == customer
    assert stored.categories == ["statistics"]
    assert stored.method == "settings"
    assert len(stored.consent_id) == 32
    policy = current_policy_version()
    assert stored.policy_version == (policy.version if policy else None)
    assert not any("address" in field.name for field in ConsentRecord._meta.get_fields())


@pytest.mark.django_db
def test_an_anonymous_choice_keeps_the_browser_consent_id():
    from django.contrib.auth.models import AnonymousUser

    record = consent_record(
        actor=AnonymousUser(), categories=set(), method="banner", consent_id=CONSENT_ID
    )

    assert record.user is None
    assert record.consent_id == CONSENT_ID
    assert record.categories == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("categories", "method", "code"),
    [
        ({"advertising"}, "banner", "consent_category_unknown"),
        (set(), "popup", "consent_method_unknown"),
    ],
)
def test_a_choice_outside_what_was_offered_is_refused_and_nothing_recorded(
    categories, method, code
):
    with pytest.raises(ApplicationError) as refused:
        consent_record(actor=None, categories=categories, method=method)

    assert refused.value.code == code
    assert refused.value.status_code == 400
    assert ConsentRecord.objects.count() == 0


@pytest.mark.django_db
def test_page_views_are_counted_per_day_as_totals_only():
    day = date(2026, 3, 1)
    page_view_count(day=day, new_visitor=True)
    page_view_count(day=day, new_visitor=False)
    page_view_count(day=date(2026, 3, 2), new_visitor=True)

    assert list(DailyPageViews.objects.order_by("day").values_list("day", "views", "visitors")) == [
        (day, 2, 1),
        (date(2026, 3, 2), 1, 1),
    ]
