"""Suite-wide fixtures. Settings come from config.settings; fixtures override what a test needs."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings

pytest_plugins = [
    "lumeire.core.tests.logscan",
    "lumeire.core.tests.redis_fixtures",
    "lumeire.core.tests.s3server",
    "pytester",
]
settings.register_profile(
    "lumeire",
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.load_profile("lumeire")


@pytest.fixture(autouse=True)
def _store_password_hashers_where_hashing_is_tested(request):
    """The suite hashes passwords cheaply (config/settings_test.py); tests marked
    ``password_hashing`` are about the hash itself and get the store's Argon2id cost back."""
    if request.node.get_closest_marker("password_hashing") is None:
        yield
        return
    from django.test import override_settings

    from config.settings_test import STORE_PASSWORD_HASHERS

    with override_settings(PASSWORD_HASHERS=STORE_PASSWORD_HASHERS):
        yield


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


# Rows that data migrations make and the store cannot run without. A test on a flushed database
# (transactional tests end with a flush) would otherwise find no privacy policy to sign up under,
# no delivery options and no staff groups. Each function uses get_or_create.
DATA_MIGRATIONS = [
    ("lumeire.checkout.migrations.0002_shipping_methods", "create_methods"),
    ("lumeire.backoffice.migrations.0001_catalogue_manager_group", "create_group"),
    ("lumeire.backoffice.migrations.0002_order_roles", "create_groups"),
    ("lumeire.backoffice.migrations.0003_remaining_roles", "create_groups"),
    # The role groups keep their names but no permissions: the staff access model decides.
    ("lumeire.backoffice.migrations.0004_roles_hold_no_permissions", "clear_permissions"),
]


def restore_migrated_data() -> None:
    """Make again the rows the data migrations made."""
    from importlib import import_module
    from types import SimpleNamespace

    from django.apps import apps
    from django.db import connection

    editor = SimpleNamespace(connection=connection)
    for module, function in DATA_MIGRATIONS:
        getattr(import_module(module), function)(apps, editor)
    # Policy version 1 as migrations 0002 and 0005 leave it (0002 alone predates its status).
    first = import_module("lumeire.privacy.migrations.0002_policy_version_1")
    marked = import_module("lumeire.privacy.migrations.0005_policy_status")
    apps.get_model("privacy", "PolicyVersion").objects.get_or_create(
        version=1,
        defaults={
            "effective_at": first.EFFECTIVE_AT,
            "sections": marked.generated_sections(first.SECTIONS),
            "status": "published",
        },
    )


@pytest.fixture(autouse=True)
def _migrated_rows_survive_earlier_flushes(request):
    """Before a transactional test, put back what an earlier transactional test flushed, and
    mark the test so the rows come back after its own flush too (see pytest_runtest_teardown):
    the next test on the same worker may be an ordinary one that expects them."""
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("serialized_rollback"):
        pass  # Django itself puts the database back as it was after migrating
    elif marker is not None and marker.kwargs.get("transaction"):
        restore_migrated_data()
        request.node.ends_with_a_flush = True
    elif "transactional_db" in request.fixturenames or "live_server" in request.fixturenames:
        request.getfixturevalue("transactional_db")
        restore_migrated_data()
        request.node.ends_with_a_flush = True
    yield


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After a transactional test's flush, make the migrated rows again. Workers take tests in
    any order (--dist worksteal), so an ordinary test may follow a flush on the same worker.
    After a worker's last test the test database is already gone, and no test needs them."""
    result = yield
    if getattr(item, "ends_with_a_flush", False) and nextitem is not None:
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            restore_migrated_data()
    return result


@pytest.fixture(autouse=True)
def _background_tasks_run_at_once(settings, tmp_path):
    """Background tasks (data exports) run inside the request in tests, their files in a
    folder of the test's own."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.LUMEIRE_EXPORTS_DIR = tmp_path / "exports"
    settings.LUMEIRE_AUDIT_ARCHIVE_DIR = tmp_path / "audit-archive"
    settings.LUMEIRE_AUDIT_ANCHOR_DIR = tmp_path / "audit-anchors"


@pytest.fixture(autouse=True)
def _erasure_journal_of_the_test(settings, tmp_path_factory):
    """Each test keeps its erasure journal in a folder of its own, never the store's var/ (and
    not in tmp_path, which some tests expect to hold only what they wrote)."""
    settings.LUMEIRE_ERASURE_JOURNAL_DIR = tmp_path_factory.mktemp("erasure-journal")
