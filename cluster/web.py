"""A small HTTP client for the cluster test: one browser-like visitor with its own cookies.

Standard library only, one connection per request (so the balancer chooses a node for each
request), no redirects followed: the scenarios check each answer themselves. A visitor may
claim a client address: it is sent as ``X-Forwarded-For`` (see ``Visitor``).
"""

from __future__ import annotations

import http.client
import json
import re
import ssl
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
NODE_HEADER = "X-Lumeire-Node"


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self) -> object:
        return json.loads(self.body)

    @property
    def node(self) -> str | None:
        """Which app node answered, as the balancer says (only through the balancer)."""
        return self.headers.get(NODE_HEADER.lower())

    def csrf_token(self) -> str:
        found = CSRF_FIELD.search(self.text)
        if not found:
            raise AssertionError(f"no CSRF token in the page (status {self.status})")
        return found[1]


@dataclass
class Visitor:
    """A visitor of ``base`` (``http://127.0.0.1:PORT``) with a cookie jar.

    ``client_address``: the address this visitor stands for. The balancer appends the address it
    sees (127.0.0.1 here) to any ``X-Forwarded-For`` it receives; the store trusts 127.0.0.1 as
    its proxy and takes the right-most address that is not a trusted proxy, i.e. this one. A
    visitor talking to a node directly sends none: the node then sees 127.0.0.1 itself.
    """

    base: str
    client_address: str | None = None
    timeout: float = 15.0
    cookies: dict[str, str] = field(default_factory=dict)
    token: str | None = None
    tls: ssl.SSLContext | None = None  # for an https base: what to trust

    def request(
        self,
        method: str,
        path: str,
        *,
        form: dict[str, str] | None = None,
        body: object = None,
        headers: dict[str, str | None] | None = None,
        timeout: float | None = None,
    ) -> Answer:
        """Send one request; a header given as None is not sent at all."""
        url = urlsplit(self.base)
        sent = {"Host": url.netloc, "Accept-Language": "en", "Connection": "close"}
        payload: bytes | None = None
        if form is not None:
            payload = urlencode(form).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            sent["Referer"] = f"{self.base}{path}"
        elif body is not None:
            payload = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        if self.client_address:
            sent["X-Forwarded-For"] = self.client_address
        if self.token:
            sent["Authorization"] = f"Bearer {self.token}"
        sent.update(headers or {})
        sent = {name: value for name, value in sent.items() if value is not None}
        if url.scheme == "https":
            connection: http.client.HTTPConnection = http.client.HTTPSConnection(
                url.hostname, url.port, timeout=timeout or self.timeout, context=self.tls
            )
        else:
            connection = http.client.HTTPConnection(
                url.hostname, url.port, timeout=timeout or self.timeout
            )
        started = time.monotonic()
        try:
            connection.request(method, path, body=payload, headers=sent)
            response = connection.getresponse()
            data = response.read()
            answer_headers = {name.lower(): value for name, value in response.getheaders()}
            for raw in response.headers.get_all("Set-Cookie") or []:
                jar = SimpleCookie()
                jar.load(raw)
                for name, morsel in jar.items():
                    expired = morsel["max-age"] == "0" or "1970" in morsel["expires"]
                    if expired or not morsel.value:
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
        finally:
            connection.close()
        return Answer(response.status, answer_headers, data, time.monotonic() - started)

    def get(self, path: str, **kwargs: object) -> Answer:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: object) -> Answer:
        return self.request("POST", path, **kwargs)

    def post_form(self, path: str, form: dict[str, str], **kwargs: object) -> Answer:
        """GET the page for its CSRF token, then POST the form with it (as a browser does)."""
        page = self.get(path)
        return self.post(path, form={**form, "csrfmiddlewaretoken": page.csrf_token()}, **kwargs)
