"""Behind TLS the store redirects plain HTTP to HTTPS, except the probes the balancer and the
metrics scraper send to each node in plain HTTP on the private network: a redirect there would
take every node out of the balancer (haproxy expects 200 from /readyz)."""

import json
import subprocess
import sys

from config.tests.test_settings import ROOT, production_env  # noqa: F401 - the fixture

PROBE = """
import django, json
django.setup()
from django.core.management import call_command
from django.test import Client
call_command("migrate", verbosity=0)
client = Client(HTTP_HOST="shop.example.com")
print(json.dumps({path: client.get(path).status_code for path in
      ["/healthz", "/readyz", "/metrics", "/en/", "/backoffice/"]}))
"""


def test_probes_answer_in_plain_http_while_pages_redirect_to_https(production_env):  # noqa: F811
    done = subprocess.run(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=production_env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    statuses = json.loads(done.stdout.strip().splitlines()[-1])

    assert statuses["/healthz"] == 200
    assert statuses["/readyz"] == 200
    assert statuses["/metrics"] == 404  # no scraper allowed: the path does not show
    assert statuses["/en/"] == 301 and statuses["/backoffice/"] == 301
