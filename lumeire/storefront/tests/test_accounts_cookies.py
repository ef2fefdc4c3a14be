"""With HTTPS on, signing in sets __Host- cookies: Secure, HttpOnly, SameSite=Lax, no Domain.

Cookie names are settings read once at start-up, so the real sign-in page is driven in a fresh
interpreter started with a production-like environment and its own SQLite database.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

SCRIPT = """
import json
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
call_command("createcachetable", verbosity=0)
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
from lumeire.accounts.tests.factories import PASSWORD, make_customer
make_customer(username="cookie_tester")
client = Client()
page = client.get("/en/account/sign-in/", secure=True)
signed_in = client.post(
    "/en/account/sign-in/", {"login": "cookie_tester", "password": PASSWORD}, secure=True
)
cookies = {
    name: {key: morsel[key] for key in ("secure", "httponly", "samesite", "path", "domain")}
    for response in (page, signed_in)
    for name, morsel in response.cookies.items()
}
print(json.dumps({"status": signed_in.status_code, "cookies": cookies}))
"""


def _key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


def test_sign_in_over_https_sets_host_prefixed_secure_cookies(tmp_path):
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("LUMEIRE_") and name not in {"DATABASE_URL", "REDIS_URL"}
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "LUMEIRE_HTTPS": "1",
            "LUMEIRE_MASTER_KEY": _key(),
            "LUMEIRE_BLIND_INDEX_KEY": _key(),
            "LUMEIRE_ENV_FILE": "",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'cookies.sqlite3'}",
            "LOG_LEVEL": "ERROR",
        }
    )
    result = subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])

    assert outcome["status"] == 302
    cookies = outcome["cookies"]
    assert set(cookies) == {"__Host-sessionid", "__Host-csrftoken"}
    for name in cookies:
        assert cookies[name]["secure"] is True, name
        assert cookies[name]["samesite"] == "Lax", name
        assert cookies[name]["path"] == "/", name
        assert cookies[name]["domain"] == "", name
    assert cookies["__Host-sessionid"]["httponly"] is True
