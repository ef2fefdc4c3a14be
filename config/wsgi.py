"""WSGI entry point for gunicorn.

Before serving, the node checks that its keys open the data in the database (the fingerprints
recorded at the first ``migrate``: ``lumeire/vault/keycheck.py``). When they do not, importing
this module raises ``ImproperlyConfigured`` naming each key that differs: gunicorn's worker fails
to boot and gunicorn stops, instead of a node that answers ``/healthz`` and refuses every sign-in.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

from lumeire.vault.keycheck import refuse_unless_keys_match  # noqa: E402 - needs Django set up

refuse_unless_keys_match()
