"""Settings as a deployment sees them: each test starts a fresh process with a chosen environment.

Settings are read once, at import, from the process environment, so the only faithful test is a
new interpreter with exactly the variables a host would set.
"""

import base64
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Variables the settings read, dropped from the inherited environment so the developer's or the
# CI's own values cannot leak into a test of a production host.
_READ_BY_SETTINGS = {
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "DATABASE_CONN_MAX_AGE",
    "REDIS_URL",
    "LOG_LEVEL",
    "DJANGO_SETTINGS_MODULE",
}


def random_key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


@pytest.fixture
def production_env(tmp_path) -> dict[str, str]:
    """A host's environment: real secrets, HTTPS, one allowed host, no local secrets file."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in _READ_BY_SETTINGS and not name.startswith("LUMEIRE_")
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "LUMEIRE_HTTPS": "1",
            "ALLOWED_HOSTS": "shop.example.com",
            "DEBUG": "0",
            "LUMEIRE_MASTER_KEY": random_key(),
            "LUMEIRE_BLIND_INDEX_KEY": random_key(),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'lumeire.sqlite3'}",
            # Unset in spirit: manage.py falls back to var/secrets.env only when the variable is
            # absent, so an empty value keeps a developer's local secrets out of this host.
            "LUMEIRE_ENV_FILE": "",
        }
    )
    return env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def settings_in(env: dict[str, str], *names: str) -> dict[str, object]:
    """Import the settings in a fresh process with ``env`` and return the named values."""
    script = (
        "import json, sys, django; django.setup(); from django.conf import settings; "
        "print(json.dumps({n: getattr(settings, n) for n in sys.argv[1:]}, default=str))"
    )
    result = run(["-c", script, *names], env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_deploy_check_passes_with_no_warning_on_a_production_environment(production_env):
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_missing_master_key_stops_start_up_naming_the_variable(production_env):
    del production_env["LUMEIRE_MASTER_KEY"]

    result = run(["manage.py", "check"], production_env)

    assert result.returncode != 0
    assert "LUMEIRE_MASTER_KEY" in result.stderr
    assert "is required and is not set" in result.stderr
    output = result.stdout + result.stderr
    assert production_env["SECRET_KEY"] not in output
    assert production_env["LUMEIRE_BLIND_INDEX_KEY"] not in output


def test_blank_master_key_counts_as_missing(production_env):
    production_env["LUMEIRE_MASTER_KEY"] = "   "

    result = run(["manage.py", "check"], production_env)

    assert result.returncode != 0
    assert "LUMEIRE_MASTER_KEY" in result.stderr


def test_missing_secret_key_stops_start_up_naming_the_variable(production_env):
    del production_env["SECRET_KEY"]

    result = run(["manage.py", "check"], production_env)

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
    assert production_env["LUMEIRE_MASTER_KEY"] not in result.stdout + result.stderr


def test_debug_is_off_when_the_environment_does_not_say(production_env):
    del production_env["DEBUG"]

    assert settings_in(production_env, "DEBUG") == {"DEBUG": False}


def test_debug_is_on_only_when_asked(production_env):
    production_env["DEBUG"] = "1"

    assert settings_in(production_env, "DEBUG") == {"DEBUG": True}


def test_unclear_debug_value_stops_start_up(production_env):
    production_env["DEBUG"] = "maybe"

    result = run(["manage.py", "check"], production_env)

    assert result.returncode != 0
    assert "DEBUG must be one of" in result.stderr


def test_redis_url_makes_redis_the_caches_with_short_timeouts_and_sessions_stay_in_the_database(
    production_env,
):
    production_env["REDIS_URL"] = "redis://127.0.0.1:6379/3"
    production_env["LUMEIRE_REDIS_TIMEOUT_MS"] = "300"

    values = settings_in(production_env, "CACHES", "SESSION_ENGINE")

    default, shared = values["CACHES"]["default"], values["CACHES"]["shared"]
    # A miss while Redis is away; the counters refuse instead (lumeire.core.cache).
    assert default["BACKEND"] == "lumeire.core.cache.DegradingRedisCache"
    assert shared["BACKEND"] == "lumeire.core.cache.FailClosedRedisCache"
    for cache in (default, shared):
        assert cache["LOCATION"] == "redis://127.0.0.1:6379/3"
        assert cache["OPTIONS"] == {"socket_timeout": 0.3, "socket_connect_timeout": 0.3}
    assert default["KEY_PREFIX"] != shared["KEY_PREFIX"]
    assert values["SESSION_ENGINE"] == "django.contrib.sessions.backends.db"


def test_without_redis_the_cache_is_local_memory_and_sessions_live_in_the_database(
    production_env,
):
    values = settings_in(production_env, "CACHES", "SESSION_ENGINE")

    assert values["CACHES"]["default"]["BACKEND"] == (
        "django.core.cache.backends.locmem.LocMemCache"
    )
    assert values["SESSION_ENGINE"] == "django.contrib.sessions.backends.db"


def test_https_host_sends_cookies_only_over_https_and_asks_for_hsts(production_env):
    values = settings_in(
        production_env,
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "LANGUAGE_COOKIE_SECURE",
        "SESSION_COOKIE_NAME",
        "CSRF_COOKIE_NAME",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
    )

    assert values == {
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "LANGUAGE_COOKIE_SECURE": True,
        "SESSION_COOKIE_NAME": "__Host-sessionid",
        "CSRF_COOKIE_NAME": "__Host-csrftoken",
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31_536_000,
    }


def test_database_url_chooses_the_database(production_env, tmp_path):
    values = settings_in(production_env, "DATABASES")

    database = values["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert database["NAME"] == str(tmp_path / "lumeire.sqlite3")
