"""gunicorn's settings for ``make run`` (``gunicorn -c python:config.gunicorn_conf``).

The store writes its own access log (``lumeire.core.request_log``): secrets in paths and query
values masked, no client address. gunicorn's access log would print both in clear, so it is off,
and its error log loses the addresses and request lines it would otherwise quote. Forwarded
headers are left to the store (``LUMEIRE_TRUSTED_PROXIES``); gunicorn believes none.
"""

from __future__ import annotations

import logging
import os
import re

from gunicorn import glogging

PROCESS_UMASK = 0o077

# No access log: the store's request log replaces it.
accesslog = None
disable_redirect_access_to_syslog = True
errorlog = "-"
logger_class = "config.gunicorn_conf.PrivateLogger"
# Files and sockets gunicorn itself makes are the owner's alone.
umask = PROCESS_UMASK
# gunicorn's default trusts X-Forwarded-Proto from 127.0.0.1, i.e. from anyone on this machine.
forwarded_allow_ips = ""
secure_scheme_headers: dict[str, str] = {}
forwarder_headers = ""
# No control socket: `make run` needs none, and it would be one more file in the home folder.
control_socket_disable = True

_INVALID_REQUEST = re.compile(r"^Invalid request from ip=.*?: (?P<error>.*)$", re.DOTALL)


class PrivateRecordFilter(logging.Filter):
    """Take client addresses, request lines and URLs out of gunicorn's error records."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        invalid = _INVALID_REQUEST.match(message)
        if invalid:
            # "Invalid HTTP request line: 'GET /account/recover/<secret>/ ...'": the kind only.
            kind = re.split(r"[:'\"]", invalid["error"], maxsplit=1)[0].strip()[:80]
            record.msg, record.args = "Invalid request refused: %s", (kind or "unreadable",)
        elif message.startswith("Error handling request"):
            method = record.args[0] if isinstance(record.args, tuple) and record.args else ""
            method = method if isinstance(method, str) and method.isalpha() else ""
            record.msg, record.args = "Error handling request %s", (method[:16],)
        return True


class PrivateLogger(glogging.Logger):
    """gunicorn's logger without the access log and with private error records."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        self.error_log.addFilter(PrivateRecordFilter())

    def access(self, resp, req, environ, request_time) -> None:
        """Write nothing: the store's request log has the line, without the address."""


def on_starting(server) -> None:
    """Before the first file is created, in the master (workers inherit it)."""
    os.umask(PROCESS_UMASK)


def child_exit(server, worker) -> None:
    """Let the metrics of a worker that ended stop counting as a live process's."""
    from prometheus_client import multiprocess, values

    if values.ValueClass is not values.MutexValue:  # PROMETHEUS_MULTIPROC_DIR is set
        multiprocess.mark_process_dead(worker.pid)
