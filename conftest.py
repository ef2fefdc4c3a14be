"""Suite-wide fixtures. Settings come from config.settings; fixtures override what a test needs."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings


settings.register_profile(
    "lumeire",
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.load_profile("lumeire")


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    """Render templates without needing a collected manifest of static files."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
