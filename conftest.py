"""Suite-wide fixtures. Settings come from config.settings; fixtures override what a test needs."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings

pytest_plugins = ["lumeire.core.tests.logscan"]
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


# Apps that exist only for the suite, installed before the test databases are created so their
# migrations run on SQLite and PostgreSQL alike.
TEST_APPS = ["lumeire.vault.tests.sample"]
from django.apps import apps as _apps  # noqa: E402
from django.conf import settings as _django_settings  # noqa: E402

_apps.set_installed_apps([*_django_settings.INSTALLED_APPS, *TEST_APPS])


@pytest.fixture(autouse=True)
def _no_language_leaks_between_tests():
    """Django's locale middleware activates a language per request and never switches it off."""
    from django.utils import translation

    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_security_counters(request):
    """Lockout and rate-limit counters live in a shared cache; each test starts from zero."""
    from django.core.cache import caches

    caches["default"].clear()
    caches["pages"].clear()
    names = set(request.fixturenames)
    if request.node.get_closest_marker("django_db") is None:
        # Autouse fixtures run first: open the database the test asked for before using it.
        wanted = [name for name in ("transactional_db", "db") if name in names]
        if not wanted:
            yield
            return
        request.getfixturevalue(wanted[0])
    caches["shared"].clear()
    yield
