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
