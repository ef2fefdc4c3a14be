"""Fixtures for the storefront's tests."""

from __future__ import annotations

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _language_does_not_outlive_the_test():
    """Drop the language a request activated, so the next test in this thread starts in English.

    LocaleMiddleware activates a language per request and leaves it active on the thread.
    """
    yield
    translation.deactivate()


@pytest.fixture(autouse=True, scope="session")
def _urls_load_before_any_clock_is_frozen():
    """Import the URLconf (and the API schemas it pulls in) with the real clock.

    A module first imported under freezegun binds ``datetime.date`` to freezegun's fake class,
    which pydantic cannot build a schema for.
    """
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - the import is the point


@pytest.fixture
def media_root(settings, tmp_path):
    """Uploaded photos go to a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def shop(db, media_root):
    from lumeire.storefront.tests.shop import make_shop

    return make_shop()
